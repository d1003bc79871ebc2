package org.dbmstream.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The parts of a qcow2 v3 header and its header extensions that locate the persistent bitmaps
 * (QEMU docs/interop/qcow2.txt). All fields are big-endian.
 */
record Qcow2Header(int version, int clusterBits, long virtualSize, long incompatibleFeatures,
                   long autoclearFeatures, Optional<BitmapsExtension> bitmaps) {
    static final int MAGIC = 0x514649fb; // "QFI\xfb"
    private static final int GZIP_MAGIC = 0x1f8b;
    static final int EXT_END = 0;
    static final int EXT_BITMAPS = 0x23852875;
    /** Autoclear bit 0: the bitmaps extension is consistent with the image. */
    static final long AUTOCLEAR_BITMAPS = 1L;
    /** Incompatible feature bits this reader understands: dirty, corrupt, external data file,
     *  compression type, extended L2 entries. None of them changes how bitmaps are stored. */
    static final long KNOWN_INCOMPATIBLE = 0x1f;
    private static final int V3_HEADER_MIN = 104;
    private static final int MIN_CLUSTER_BITS = 9;
    private static final int MAX_CLUSTER_BITS = 21;

    int clusterSize() {
        return 1 << clusterBits;
    }

    /** Whether the autoclear bit vouches for the bitmaps extension. */
    boolean bitmapsConsistent() {
        return (autoclearFeatures & AUTOCLEAR_BITMAPS) != 0;
    }

    static Qcow2Header read(ImageFile file) throws IOException {
        if (file.length() < 72) {
            throw new Qcow2Exception("not a qcow2 image: the file has only " + file.length() + " bytes");
        }
        ByteBuffer h = file.read(0, (int) Math.min(file.length(), V3_HEADER_MIN), "the qcow2 header");
        if ((h.getShort(0) & 0xffff) == GZIP_MAGIC) {
            throw new Qcow2Exception("not a qcow2 image: the file is gzip-compressed; gunzip it first");
        }
        if (h.getInt(0) != MAGIC) {
            throw new Qcow2Exception(String.format("not a qcow2 image: magic is 0x%08x, expected 0x%08x (QFI\\xfb)",
                    h.getInt(0), MAGIC));
        }
        int version = h.getInt(4);
        if (version == 2) {
            throw new Qcow2Exception("qcow2 version 2 image: persistent dirty bitmaps need qcow2 version 3"
                    + " (qemu-img amend -o compat=1.1)");
        }
        if (version != 3) {
            throw new Qcow2Exception("unsupported qcow2 version " + version);
        }
        if (h.limit() < V3_HEADER_MIN) {
            throw new Qcow2Exception("truncated image: a qcow2 v3 header needs " + V3_HEADER_MIN
                    + " bytes, the file has " + file.length());
        }
        int clusterBits = h.getInt(20);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw new Qcow2Exception("corrupt qcow2 header: cluster_bits " + clusterBits + " outside "
                    + MIN_CLUSTER_BITS + ".." + MAX_CLUSTER_BITS);
        }
        long size = h.getLong(24);
        if (size < 0) {
            throw new Qcow2Exception("corrupt qcow2 header: negative virtual size " + size);
        }
        long incompatible = h.getLong(72);
        if ((incompatible & ~KNOWN_INCOMPATIBLE) != 0) {
            throw new Qcow2Exception(String.format("unsupported qcow2 incompatible feature bits 0x%x",
                    incompatible & ~KNOWN_INCOMPATIBLE));
        }
        long autoclear = h.getLong(88);
        int headerLength = h.getInt(100);
        int clusterSize = 1 << clusterBits;
        if (headerLength < V3_HEADER_MIN || headerLength > clusterSize || (headerLength & 7) != 0) {
            throw new Qcow2Exception("corrupt qcow2 header: header_length " + headerLength);
        }
        Optional<BitmapsExtension> bitmaps = readExtensions(file, headerLength, clusterSize);
        return new Qcow2Header(version, clusterBits, size, incompatible, autoclear, bitmaps);
    }

    /** Walks the header extensions (they must end inside the first cluster) to the end marker. */
    private static Optional<BitmapsExtension> readExtensions(ImageFile file, int start, int clusterSize)
            throws IOException {
        Optional<BitmapsExtension> bitmaps = Optional.empty();
        long pos = start;
        while (true) {
            if (pos + 8 > clusterSize) {
                throw new Qcow2Exception("corrupt qcow2 header: header extensions run past the first cluster");
            }
            ByteBuffer e = file.read(pos, 8, "a header extension");
            int type = e.getInt(0);
            long length = e.getInt(4) & 0xffffffffL;
            if (type == EXT_END) {
                return bitmaps;
            }
            if (pos + 8 + length > clusterSize) {
                throw new Qcow2Exception(String.format(
                        "corrupt qcow2 header: extension 0x%08x of %d bytes runs past the first cluster", type, length));
            }
            if (type == EXT_BITMAPS) {
                bitmaps = Optional.of(BitmapsExtension.parse(file.read(pos + 8, (int) length, "the bitmaps extension"),
                        clusterSize));
            }
            pos += 8 + QemuAlign.up8(length);
        }
    }
}
