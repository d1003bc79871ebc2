package org.dbmstream.bitmap.chunk;

import java.util.Locale;
import org.dbmstream.bitmap.QemuConstants;

/**
 * Bytes of serialized bitmap one BITS chunk carries (the last chunk of a bitmap may carry fewer). QEMU's
 * sender uses {@link QemuConstants#CHUNK_SIZE} (1 KiB, {@link #QEMU}); its loader takes any buffer up to
 * {@link QemuConstants#MAX_BUFFER_SIZE} (10 KiB), so every width from 1 to 10 KiB in whole KiB is a chunk
 * QEMU itself loads. On Kafka a wider chunk means fewer records for the same bitmap ({@link #KAFKA_DEFAULT},
 * 8 KiB: an eighth of the records); streams written for QEMU keep 1 KiB.
 */
public record ChunkSize(int bytes) {
    /** QEMU's own width (CHUNK_SIZE), what its save side writes. */
    public static final ChunkSize QEMU = new ChunkSize(QemuConstants.CHUNK_SIZE);
    /** The default on Kafka topics: 8 KiB, the widest power of two QEMU's loader accepts. */
    public static final ChunkSize KAFKA_DEFAULT = new ChunkSize(8 * QemuConstants.CHUNK_SIZE);
    /** The widths the command line and the connectors offer (powers of two, so chunks never straddle segments). */
    public static final String CHOICES = "1K, 2K, 4K or 8K";

    public ChunkSize {
        if (bytes < QemuConstants.CHUNK_SIZE || bytes > QemuConstants.MAX_BUFFER_SIZE
                || bytes % QemuConstants.CHUNK_SIZE != 0) {
            throw new IllegalArgumentException("a chunk carries 1 to 10 KiB of bitmap in whole KiB (QEMU loads "
                    + "BITS buffers up to 10 KiB), got " + bytes + " bytes");
        }
    }

    /** Parses one of {@value #CHOICES} (also {@code 1024}, {@code 8k}); anything else is an error saying so. */
    public static ChunkSize parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        int kib = switch (t) {
            case "1K", "1024" -> 1;
            case "2K", "2048" -> 2;
            case "4K", "4096" -> 4;
            case "8K", "8192" -> 8;
            default -> throw new IllegalArgumentException("chunk size must be " + CHOICES + " (KiB of bitmap per "
                    + "BITS chunk; QEMU loads buffers up to 10 KiB), got '" + text + "'");
        };
        return new ChunkSize(kib * QemuConstants.CHUNK_SIZE);
    }

    /** Bitmap bits one chunk covers. */
    public long bits() {
        return bytes * 8L;
    }

    /** Whether this is QEMU's own 1 KiB. */
    public boolean isQemu() {
        return bytes == QemuConstants.CHUNK_SIZE;
    }

    @Override
    public String toString() {
        return bytes / QemuConstants.CHUNK_SIZE + "K";
    }
}
