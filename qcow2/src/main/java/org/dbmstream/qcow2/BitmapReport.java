package org.dbmstream.qcow2;

/**
 * What {@code dbm inspect} shows for a consistent persistent bitmap, in QEMU's terms: the same fields
 * QMP's {@code query-named-block-nodes} and {@code x-debug-block-dirty-bitmap-sha256} report.
 *
 * @param count  QEMU's dirty count: set bits times granularity, in bytes
 * @param sha256 SHA-256 of the serialized bitmap padded to 8 bytes, lowercase hex
 */
public record BitmapReport(Qcow2Bitmap bitmap, long count, String sha256) {
    public String name() {
        return bitmap.name();
    }

    public long granularity() {
        return bitmap.granularity().bytes();
    }

    public long diskSize() {
        return bitmap.diskSize();
    }

    /** QEMU's {@code recording}: the qcow2 {@code auto} flag. */
    public boolean enabled() {
        return bitmap.enabled();
    }

    public boolean persistent() {
        return bitmap.persistent();
    }
}
