package org.dbmstream.qcow2;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.dbmstream.bitmap.DirtyBitmap;

/**
 * A qcow2 v3 image opened read-only to read its persistent dirty bitmaps (QEMU docs/interop/qcow2.txt).
 * Opening reads the header, the header extensions and the bitmap directory; bitmap data is read
 * only when asked, cluster by cluster ({@link BitmapData}). An image without a bitmaps extension has
 * no bitmaps. The image may be shared by threads that each use their own {@link BitmapData}.
 */
public final class Qcow2Image implements Closeable {
    private final ImageFile file;
    private final Qcow2Header header;
    private final List<Qcow2Bitmap> bitmaps;

    private Qcow2Image(ImageFile file) throws IOException {
        this.file = file;
        this.header = Qcow2Header.read(file);
        this.bitmaps = header.bitmaps().isPresent()
                ? List.copyOf(BitmapDirectory.read(file, header, header.bitmaps().get()))
                : List.of();
        // QEMU loads every stored bitmap when it opens an image and refuses the image if one cannot be
        // loaded: every reader (inspect, migrate, export, the connector) refuses it here, at open, alike
        for (Qcow2Bitmap b : bitmaps) {
            if (!b.inconsistent()) {
                BitmapData.checkTableSize(b, header.clusterSize());
            }
        }
    }

    /** Opens the image at {@code path} read-only. */
    public static Qcow2Image open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new Qcow2Image(new ImageFile(channel));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads from {@code channel}, which the image closes when it is closed. */
    public static Qcow2Image open(SeekableByteChannel channel) throws IOException {
        return new Qcow2Image(new ImageFile(channel));
    }

    /** Virtual disk size in bytes (the size every bitmap covers). */
    public long virtualSize() {
        return header.virtualSize();
    }

    public int clusterSize() {
        return header.clusterSize();
    }

    public int version() {
        return header.version();
    }

    /** Whether autoclear bit 0 vouches for the bitmaps; if not, every bitmap is inconsistent. */
    public boolean bitmapsExtensionConsistent() {
        return header.bitmapsConsistent();
    }

    /** Every bitmap of the directory, in directory order, consistent or not. */
    public List<Qcow2Bitmap> bitmaps() {
        return bitmaps;
    }

    public Optional<Qcow2Bitmap> bitmap(String name) {
        return bitmaps.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** The data of {@code bitmap}; refuses an inconsistent one as QEMU does. */
    public BitmapData data(Qcow2Bitmap bitmap) throws IOException {
        if (bitmap.inUse()) {
            throw new InconsistentBitmapException(bitmap.name(),
                    "its in_use flag is set: the image was not closed cleanly");
        }
        if (!bitmap.extensionConsistent()) {
            throw new InconsistentBitmapException(bitmap.name(),
                    "autoclear bit 0 is clear: a program without bitmap support modified the image");
        }
        return new BitmapData(file, bitmap, header.clusterSize());
    }

    /** The data of the bitmap named {@code name}. */
    public BitmapData data(String name) throws IOException {
        return data(require(name));
    }

    /** Loads the bitmap named {@code name} whole into memory (small images). */
    public DirtyBitmap load(String name) throws IOException {
        return data(name).load();
    }

    /** Reads {@code bitmap} through once and reports QEMU's count and sha256 for it. */
    public BitmapReport report(Qcow2Bitmap bitmap) throws IOException {
        var digest = data(bitmap).digest();
        return new BitmapReport(bitmap, digest.count(), digest.sha256());
    }

    private Qcow2Bitmap require(String name) throws Qcow2Exception {
        return bitmap(name).orElseThrow(() -> new Qcow2Exception("no bitmap '" + name + "' in the image"
                + (bitmaps.isEmpty() ? " (it has no bitmaps)" : "; it has: "
                + bitmaps.stream().map(b -> "'" + b.name() + "'").collect(Collectors.joining(", ")))));
    }

    @Override
    public void close() throws IOException {
        file.channel().close();
    }
}
