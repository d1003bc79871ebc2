package org.dbmstream.cli.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.export.QemuStreamExport;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationRequest;

/**
 * What the live bench migrates: one random bitmap (every bit set with probability 1/2, the worst case: no
 * chunk is ZEROES) as a raw file, and the same bitmap as the QEMU migration stream QEMU's save side would
 * write (1 KiB chunks), with the sha256 and count QEMU would report for it.
 *
 * @param raw         the bitmap in QEMU's serialized layout
 * @param stream      the same bitmap as a QEMU migration stream (node {@value #NODE}, bitmap {@value #BITMAP})
 * @param diskSize    the disk the bitmap covers
 * @param granularity bytes per bit
 * @param sha256      QEMU's sha256 of the bitmap
 */
record LiveInputs(Path raw, Path stream, long diskSize, Granularity granularity, String sha256) {
    static final String NODE = "disk0";
    static final String BITMAP = "live";

    /** Writes a random bitmap of {@code mib} MiB at {@code granularity} into {@code dir}, then its stream. */
    static LiveInputs write(Path dir, int mib, Granularity granularity, long seed) throws IOException {
        long bytes = (long) mib << 20;
        long diskSize = bytes * 8 * granularity.bytes();
        Path raw = dir.resolve("bitmap.raw");
        MessageDigest sha = newSha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(raw)) {
            for (long left = bytes; left > 0; left -= block.length) {
                for (int i = 0; i < block.length; i += 8) {
                    long v = random.nextLong();
                    for (int j = 0; j < 8; j++) {
                        block[i + j] = (byte) (v >>> (8 * j));
                    }
                }
                sha.update(block);
                out.write(block);
            }
        }
        Path stream = dir.resolve("bitmap.stream");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(stream), 1 << 20)) {
            QemuStreamExport.write(MigrationRequest.builder().chunkSize(ChunkSize.QEMU).inputs(List.of(
                    rawInput(raw, diskSize, granularity))).build(), out, "none");
        }
        return new LiveInputs(raw, stream, diskSize, granularity, HexFormat.of().formatHex(sha.digest()));
    }

    /** The raw file as {@code dbm migrate --raw} reads it. */
    static MigrationInput.RawBitmapFile rawInput(Path raw, long diskSize, Granularity granularity) {
        return new MigrationInput.RawBitmapFile(raw, NODE, BITMAP, granularity, diskSize, false, false);
    }

    /** Serialized bitmap bytes. */
    long bitmapBytes() {
        return diskSize / granularity.bytes() / 8;
    }

    /** {@code dbm migrate} arguments for run {@code run}: odd runs the raw file, even ones (0 too) the QEMU stream. */
    List<String> migrateInput(int run) {
        return Math.floorMod(run, 2) == 1
                ? List.of("--raw", raw.toString(), "--raw-node", NODE, "--raw-name", BITMAP, "--granularity",
                        Long.toString(granularity.bytes()), "--disk-size", Long.toString(diskSize))
                : List.of(stream.toString());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
