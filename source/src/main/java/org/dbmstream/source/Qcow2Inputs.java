package org.dbmstream.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.SerializedBitmap;
import org.dbmstream.bitmap.source.BitmapCandidate;
import org.dbmstream.qcow2.BitmapData;
import org.dbmstream.qcow2.Qcow2Bitmap;
import org.dbmstream.qcow2.Qcow2Exception;
import org.dbmstream.qcow2.Qcow2Image;

/**
 * Reads the persistent bitmaps of a qcow2 image as selection candidates: every bitmap of the directory
 * (an inconsistent one, flagged {@code in_use}, is a candidate too, so QEMU's selection refuses it with
 * its own message). Bits are read from the image lazily, cluster by cluster, as chunks are cut.
 */
final class Qcow2Inputs {
    private Qcow2Inputs() {
    }

    static void add(MigrationInput.Qcow2Image input, MigrationPlanner.Nodes nodes, List<AutoCloseable> opened)
            throws IOException {
        Qcow2Image image;
        try {
            image = Qcow2Image.open(input.file());
        } catch (Qcow2Exception e) {
            // the reader knows the structure at fault, not the file: name it, as for migration streams
            throw new IOException("qcow2 image " + input.file() + ": " + e.getMessage(), e);
        }
        opened.add(image);
        String node = input.node();
        if (image.bitmaps().isEmpty()) {
            nodes.addEmpty(node, input);
        }
        for (Qcow2Bitmap b : image.bitmaps()) {
            BitmapCandidate candidate = new BitmapCandidate(b.name(), b.granularity(), b.enabled(), b.persistent(),
                    false, b.inconsistent());
            nodes.add(node, input, candidate, new Qcow2Bits(image, b));
        }
    }

    /** One bitmap's bits in the image, opened on first read. */
    private static final class Qcow2Bits implements SerializedBitmap {
        private final Qcow2Image image;
        private final Qcow2Bitmap bitmap;
        private BitmapData data;

        Qcow2Bits(Qcow2Image image, Qcow2Bitmap bitmap) {
            this.image = image;
            this.bitmap = bitmap;
        }

        @Override
        public long diskSize() {
            return bitmap.diskSize();
        }

        @Override
        public Granularity granularity() {
            return bitmap.granularity();
        }

        /** The bytes as the image holds them, as QEMU would serialize the bitmap it loaded from there. */
        @Override
        public void serializeInto(long firstBit, long bits, byte[] dst, int offset) {
            int len = (int) org.dbmstream.bitmap.DirtyBitmap.serializationSize(firstBit, bits);
            try {
                if (data == null) {
                    data = image.data(bitmap);
                }
                long from = firstBit >>> 3;
                int available = (int) Math.max(0, Math.min(len, data.size() - from));
                data.read(from, dst, offset, available);
                java.util.Arrays.fill(dst, offset + available, offset + len, (byte) 0);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read bitmap '" + bitmap.name() + "' from the image", e);
            }
        }
    }
}
