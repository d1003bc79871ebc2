package org.dbmstream.qcow2;

/**
 * A persistent bitmap whose data cannot be trusted: its {@code in_use} flag is set (the writer died
 * before storing it) or the image's autoclear bit says a program without bitmap support modified it.
 * QEMU refuses such a bitmap with the same message.
 */
public final class InconsistentBitmapException extends Qcow2Exception {
    private final String bitmapName;

    public InconsistentBitmapException(String bitmapName, String reason) {
        super("Bitmap '" + bitmapName + "' is inconsistent and cannot be used (" + reason + ")");
        this.bitmapName = bitmapName;
    }

    /** Name of the refused bitmap. */
    public String bitmapName() {
        return bitmapName;
    }
}
