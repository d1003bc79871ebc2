package org.dbmstream.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.DirtyBitmap;

/**
 * The data of one consistent persistent bitmap, read lazily cluster by cluster: memory stays at one
 * bitmap cluster plus one block of the bitmap table, whatever the bitmap's size.
 *
 * <p>The serialized form is QEMU's ({@code hbitmap_serialize_part}): bit k is bit k%8 of byte k/8,
 * in whole 8-byte words; qcow2 stores exactly these bytes, {@code cluster_size} per table entry.
 * Bits past the disk's end in the last word are served as the file holds them, because QEMU keeps
 * them too: its sha256 covers them while its count ignores them (checked against QEMU with the
 * {@code odd1m-tailbits} fixture). QEMU never writes such bits; an all-ones table entry sets only the
 * bitmap's own bits. {@link #load} drops them, since a {@link DirtyBitmap} has only its own bits.
 *
 * <p>Not thread-safe (it caches one cluster); use one instance per thread.
 */
public final class BitmapData {
    private final ImageFile file;
    private final Qcow2Bitmap bitmap;
    private final int clusterSize;
    private final long size;
    private final BitmapTable table;
    private final byte[] cluster;
    private long cachedCluster = -1;

    BitmapData(ImageFile file, Qcow2Bitmap bitmap, int clusterSize) throws Qcow2Exception {
        this.file = file;
        this.bitmap = bitmap;
        this.clusterSize = clusterSize;
        this.size = bitmap.serializedSize();
        checkTableSize(bitmap, clusterSize);
        this.table = new BitmapTable(file, bitmap, clusterSize);
        this.cluster = new byte[(int) Math.min(clusterSize, Math.max(size, 8))];
    }

    /**
     * QEMU's {@code load_bitmap_data} check: the bitmap table has exactly one entry per cluster of the
     * serialized bitmap, else QEMU refuses to open the image ("Could not read bitmap 'NAME' from image:
     * Invalid argument"). A disk of size 0 has a bitmap of no bytes, so any table is wrong for it.
     */
    static void checkTableSize(Qcow2Bitmap bitmap, int clusterSize) throws Qcow2Exception {
        long needed = (bitmap.serializedSize() + clusterSize - 1) / clusterSize;
        if (needed != bitmap.tableSize()) {
            throw new Qcow2Exception("Could not read bitmap '" + bitmap.name() + "' from image: its table has "
                    + bitmap.tableSize() + " entries, a disk of " + bitmap.diskSize() + " bytes at granularity "
                    + bitmap.granularity() + " with " + clusterSize + "-byte clusters needs " + needed);
        }
    }

    public Qcow2Bitmap bitmap() {
        return bitmap;
    }

    /** Bytes of the serialized bitmap: whole 8-byte words, {@code ceil(bits / 64) * 8}. */
    public long size() {
        return size;
    }

    /** Bitmap bits one stored cluster holds: {@code cluster_size * 8}. */
    public long bitsPerCluster() {
        return clusterSize * 8L;
    }

    /** Copies serialized bytes {@code [offset, offset + len)} into {@code dst}. */
    public void read(long offset, byte[] dst, int off, int len) throws IOException {
        if (offset < 0 || len < 0 || offset > size - len) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + len)
                    + ") outside the serialized bitmap '" + bitmap.name() + "' of " + size + " bytes");
        }
        while (len > 0) {
            long index = offset / clusterSize;
            int in = (int) (offset % clusterSize);
            int used = loadCluster(index);
            int n = Math.min(len, used - in);
            System.arraycopy(cluster, in, dst, off, n);
            offset += n;
            off += n;
            len -= n;
        }
    }

    /**
     * Serializes bits {@code [firstBit, firstBit + bits)} exactly as {@link DirtyBitmap#serialize}: the
     * range starts on a 64-bit word; the result is the whole words it spans. A source chunker cuts
     * migration chunks with this without holding the bitmap.
     */
    public byte[] serialize(long firstBit, long bits) throws IOException {
        if ((firstBit & 63) != 0) {
            throw new IllegalArgumentException("range must start on a 64-bit word boundary: " + firstBit);
        }
        if (bits < 0 || firstBit < 0 || firstBit + bits > bitmap.bitCount()) {
            throw new IndexOutOfBoundsException("bits [" + firstBit + ", " + (firstBit + bits)
                    + ") outside bitmap '" + bitmap.name() + "' of " + bitmap.bitCount() + " bits");
        }
        byte[] out = new byte[(int) DirtyBitmap.serializationSize(firstBit, bits)];
        read(firstBit >>> 3, out, 0, out.length);
        return out;
    }

    /** Feeds the whole serialized bitmap to {@code sink} in order, one cluster at a time. */
    public void stream(BitmapSink sink) throws IOException {
        long clusters = bitmap.tableSize();
        for (long i = 0; i < clusters; i++) {
            long entry = table.entry(i);
            if ((entry & BitmapTable.OFFSET_MASK) == 0 && (entry & BitmapTable.ALL_ONES) == 0) {
                sink.zeros(usedBytes(i));
            } else {
                int used = loadCluster(i);
                sink.bytes(cluster, 0, used);
            }
        }
    }

    /** QEMU's sha256 and count of this bitmap, computed in bounded memory. */
    public BitmapDigest.Result digest() throws IOException {
        BitmapDigest digest = new BitmapDigest(bitmap.granularity());
        stream(BitmapSink.of(digest));
        BitmapDigest.Result all = digest.finish();
        long setBits = all.setBits() - setBitsPastEnd();
        return new BitmapDigest.Result(all.sha256(), setBits * bitmap.granularity().bytes(), setBits);
    }

    /** Set bits of the last word past {@code ceil(size/g)}: hashed by QEMU, never counted. */
    long setBitsPastEnd() throws IOException {
        long tailBits = bitmap.bitCount() & 63;
        if (tailBits == 0) {
            return 0;
        }
        int used = loadCluster(bitmap.tableSize() - 1);
        long word = ByteBuffer.wrap(cluster, used - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Long.bitCount(word >>> tailBits);
    }

    /** Loads the whole bitmap into memory: only for bitmaps that fit. */
    public DirtyBitmap load() throws IOException {
        DirtyBitmap out = new DirtyBitmap(bitmap.diskSize(), bitmap.granularity());
        long bitsPerCluster = bitsPerCluster();
        for (long i = 0; i < bitmap.tableSize(); i++) {
            long entry = table.entry(i);
            if (entry == 0) {
                continue; // all zeros: a new bitmap is clear
            }
            int used = loadCluster(i);
            long first = i * bitsPerCluster;
            long bits = Math.min(bitsPerCluster, bitmap.bitCount() - first);
            out.deserialize(first, bits, used == cluster.length ? cluster : Arrays.copyOf(cluster, used));
        }
        return out;
    }

    /** Serialized bytes cluster {@code index} holds (the last one may hold fewer). */
    private int usedBytes(long index) {
        return (int) Math.min(clusterSize, size - index * clusterSize);
    }

    /** Makes {@code cluster} hold cluster {@code index}; returns its used bytes. */
    private int loadCluster(long index) throws IOException {
        int used = usedBytes(index);
        if (cachedCluster == index) {
            return used;
        }
        cachedCluster = -1;
        long entry = table.entry(index);
        long offset = entry & BitmapTable.OFFSET_MASK;
        if (offset != 0) {
            file.readInto(offset, ByteBuffer.wrap(cluster, 0, used),
                    "cluster " + index + " of bitmap '" + bitmap.name() + "'");
        } else if ((entry & BitmapTable.ALL_ONES) != 0) {
            Arrays.fill(cluster, 0, used, (byte) 0xff);
            if (index == bitmap.tableSize() - 1) {
                clearPastEnd(used);
            }
        } else {
            Arrays.fill(cluster, 0, used, (byte) 0);
        }
        cachedCluster = index;
        return used;
    }

    /** Zeroes the bits of the last word that lie past {@code ceil(size/g)}. */
    private void clearPastEnd(int used) {
        long tailBits = bitmap.bitCount() & 63;
        if (tailBits == 0) {
            return;
        }
        int lastWord = used - 8;
        for (int b = 0; b < 8; b++) {
            long firstBitOfByte = b * 8L;
            int keep = (int) Math.max(0, Math.min(8, tailBits - firstBitOfByte));
            cluster[lastWord + b] &= (byte) ((1 << keep) - 1);
        }
    }
}
