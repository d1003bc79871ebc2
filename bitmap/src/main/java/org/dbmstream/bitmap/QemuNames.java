package org.dbmstream.bitmap;

import java.nio.charset.StandardCharsets;

/** QEMU's rules for node names and aliases, measured as QEMU measures them (C strings of UTF-8 bytes). */
public final class QemuNames {
    private QemuNames() {
    }

    /** Length in bytes, as {@code strlen} sees a name that arrived as UTF-8 JSON. */
    public static int byteLength(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * QEMU's {@code id_wellformed}: an ASCII letter, then ASCII letters, digits, {@code -}, {@code .} or
     * {@code _}. The empty string is not well-formed.
     */
    public static boolean isWellFormedId(String id) {
        if (id.isEmpty() || !isAsciiLetter(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.' && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
