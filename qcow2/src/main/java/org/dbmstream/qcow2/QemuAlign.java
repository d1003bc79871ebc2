package org.dbmstream.qcow2;

/** Rounding used by the qcow2 layout. */
final class QemuAlign {
    private QemuAlign() {
    }

    static long up8(long n) {
        return (n + 7) & -8L;
    }
}
