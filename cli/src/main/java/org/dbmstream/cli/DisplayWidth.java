package org.dbmstream.cli;

import org.jline.utils.WCWidth;

/**
 * Terminal columns a string takes (JLine's {@code wcwidth}, Markus Kuhn's tables): East Asian wide
 * characters take two, combining marks none, so that a table of bitmap names lines up whatever script
 * the names are in.
 */
final class DisplayWidth {
    private DisplayWidth() {
    }

    static int of(final String s) {
        int width = 0;
        for (int i = 0; i < s.length(); ) {
            final int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            width += Math.max(0, WCWidth.wcwidth(cp));
        }
        return width;
    }
}
