package org.dbmstream.bitmap;

import java.util.Optional;

/**
 * Rules for the names a replica is stored and read back by: a migration's target, node and bitmap names
 * (path segments of the query API, DESIGN.md section 9) and its id. A name that breaks them could be
 * stored but never read or removed again (an empty segment is another URL; a 9,000-character target makes
 * every URL too long; a control character cannot be typed or shown), so the source refuses it before
 * publishing and the destination refuses it before storing anything.
 *
 * <p>Limits: a bitmap name at most 1023 bytes (QEMU's {@code BDRV_BITMAP_MAX_NAME_SIZE}); a node name at
 * most 255 bytes, the most a node alias can carry on QEMU's wire (a QEMU node name proper has at most 31,
 * which {@code block-bitmap-mapping} checks; a drive name used as the alias may be longer); a target at
 * most 255 bytes. Percent-encoded, the longest URL of one bitmap, {@code .../extents?start=..&length=..},
 * then stays under 4.7 KiB, within the 8 KiB request line HTTP servers (Jetty, proxies) accept by
 * default. A migration id has at most 1023 bytes: it is in the key of every record and stored entry of its
 * migration. UTF-8 byte lengths, as QEMU measures names; no name may be empty or hold a control
 * character (U+0000..U+001F, U+007F..U+009F).
 */
public final class ReplicaNames {
    /** Longest target, in UTF-8 bytes. */
    public static final int MAX_TARGET_BYTES = 255;
    /** Longest migration id, in UTF-8 bytes. */
    public static final int MAX_MIGRATION_ID_BYTES = 1023;
    /** Shown of a long name in a message, in characters. */
    private static final int SHOWN = 40;

    private ReplicaNames() {
    }

    /** The kinds of name, with their limits. */
    public enum Kind {
        TARGET("target", MAX_TARGET_BYTES),
        NODE("node name", QemuConstants.MAX_ALIAS_BYTES),
        BITMAP("bitmap name", QemuConstants.MAX_BITMAP_NAME_BYTES),
        MIGRATION_ID("migration id", MAX_MIGRATION_ID_BYTES);

        private final String label;
        private final int maxBytes;

        Kind(String label, int maxBytes) {
            this.label = label;
            this.maxBytes = maxBytes;
        }

        public int maxBytes() {
            return maxBytes;
        }
    }

    /** What is wrong with {@code name} as a {@code kind}, in one sentence naming it; empty when it is fine. */
    public static Optional<String> problem(Kind kind, String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("the " + kind.label + " is empty");
        }
        int bytes = QemuNames.byteLength(name);
        if (bytes > kind.maxBytes) {
            return Optional.of("the " + kind.label + " " + shown(name) + " has " + bytes + " bytes, more than "
                    + kind.maxBytes);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c)) {
                return Optional.of(String.format("the %s %s holds the control character U+%04X", kind.label,
                        shown(name), (int) c));
            }
        }
        return Optional.empty();
    }

    /** Refuses {@code name} as a {@code kind} with {@link #problem}'s sentence. */
    public static String check(Kind kind, String name) {
        problem(kind, name).ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
        return name;
    }

    /** The name quoted for a message: long ones cut, control characters as escapes. */
    public static String shown(String name) {
        String cut = name.length() > SHOWN ? name.substring(0, SHOWN) + "..." : name;
        StringBuilder out = new StringBuilder("'");
        cut.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.append('\'').toString();
    }
}
