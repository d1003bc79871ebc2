package org.dbmstream.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * One line for a failure: its message followed by the messages of its causes that add something.
 * Kafka clients wrap the real reason ("No resolvable bootstrap urls given in bootstrap.servers") in a
 * generic one ("Failed to construct kafka producer"); printing only the outer message hid it.
 */
final class Causes {
    private static final int MAX_DEPTH = 8;

    private Causes() {
    }

    static String message(final Throwable e) {
        final List<String> parts = new ArrayList<>();
        String joined = "";
        Throwable t = e;
        for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
            final String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (!joined.contains(m)) {
                parts.add(m);
                joined = String.join(": ", parts);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return joined.replace('\n', ' ');
    }
}
