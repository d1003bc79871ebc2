package org.dbmstream.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.codec.savevm.StreamBitmap;
import org.dbmstream.codec.savevm.StreamBitmapBuilder;
import org.dbmstream.qcow2.Qcow2Bitmap;
import org.dbmstream.qcow2.Qcow2Image;
import org.dbmstream.source.TemporaryFiles;

/**
 * Recognises a bitmap-carrying file by its magic (qcow2 {@code QFI\xfb}, QEMU migration stream
 * {@code QEVM}, either possibly gzip-compressed) and reports its bitmaps as QEMU would.
 */
final class BitmapFiles {
    private static final int QCOW2_MAGIC = 0x514649fb;
    private static final int QEVM_MAGIC = 0x5145564d;

    private BitmapFiles() {
    }

    /** The kinds of file {@code dbm} reads. */
    enum Kind { QCOW2, STREAM }

    static List<BitmapReport> inspect(final Path file) throws IOException {
        return switch (kindOf(file)) {
            case STREAM -> stream(file);
            case QCOW2 -> qcow2(file);
        };
    }

    /**
     * The kind of {@code file}, looking through gzip compression. Messages say what is wrong without the
     * file name (callers put it in front once).
     */
    static Kind kindOf(final Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException("no such file");
        }
        if (Files.isDirectory(file)) {
            throw new IOException("is a directory, not a qcow2 image or migration stream");
        }
        if (Files.size(file) == 0) {
            throw new IOException("is empty (0 bytes), not a qcow2 image or migration stream");
        }
        try (InputStream in = open(file)) {
            final byte[] head = in.readNBytes(4);
            if (head.length == 0) {
                throw new IOException("is empty once decompressed, not a qcow2 image or migration stream");
            }
            final int magic = head.length == 4
                    ? (head[0] & 0xff) << 24 | (head[1] & 0xff) << 16 | (head[2] & 0xff) << 8 | (head[3] & 0xff)
                    : -1;
            if (magic == QCOW2_MAGIC) {
                return Kind.QCOW2;
            }
            if (magic == QEVM_MAGIC) {
                return Kind.STREAM;
            }
            throw new IOException("neither a qcow2 image nor a QEMU migration stream (unknown magic "
                    + String.format("%08x", magic) + ")");
        }
    }

    /** Opens {@code file}, transparently decompressing gzip. */
    static InputStream open(final Path file) throws IOException {
        final BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        final boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        return gzip ? new GZIPInputStream(in, 1 << 16) : in;
    }

    static boolean isGzip(final Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static List<BitmapReport> stream(final Path file) throws IOException {
        final List<BitmapReport> out = new ArrayList<>();
        for (final StreamBitmap b : StreamBitmapBuilder.fromStream(file)) {
            out.add(new BitmapReport(file.toString(), b.node(), b.name(), b.granularity(), b.size(), b.enabled(),
                    b.persistent(), b.count(), b.sha256()));
        }
        return out;
    }

    private static List<BitmapReport> qcow2(final Path file) throws IOException {
        try (Uncompressed image = Uncompressed.of(file); Qcow2Image qcow2 = Qcow2Image.open(image.path())) {
            final List<BitmapReport> out = new ArrayList<>();
            final List<String> refused = new ArrayList<>();
            final String node = SourceInputs.nodeNameOf(file);
            for (final Qcow2Bitmap b : qcow2.bitmaps()) {
                if (b.inconsistent()) {
                    // as QEMU shows it: not recording, count 0, the digest of an empty bitmap
                    final String empty = new BitmapDigest(b.granularity()).updateZeros(b.serializedSize()).finish()
                            .sha256();
                    out.add(new BitmapReport(file.toString(), node, b.name(), b.granularity().bytes(), b.diskSize(),
                            false, b.persistent(), 0, empty, true));
                    continue;
                }
                try {
                    final org.dbmstream.qcow2.BitmapReport r = qcow2.report(b);
                    out.add(new BitmapReport(file.toString(), node, r.name(), r.granularity(), r.diskSize(),
                            r.enabled(), r.persistent(), r.count(), r.sha256()));
                } catch (IOException e) {
                    refused.add(InspectCommand.oneLine(e));
                }
            }
            if (!refused.isEmpty()) {
                throw new PartialReportException(out, String.join("; ", refused));
            }
            return out;
        }
    }

    /** Some bitmaps of a file were read, others refused: the readable ones are still reported. */
    static final class PartialReportException extends IOException {
        private final transient List<BitmapReport> readable;

        PartialReportException(final List<BitmapReport> readable, final String message) {
            super(message);
            this.readable = List.copyOf(readable);
        }

        List<BitmapReport> readable() {
            return readable;
        }
    }

    /** Unpacks a gzip-compressed file to a temporary file the caller deletes. */
    static Path gunzipToTemp(final Path file) throws IOException {
        final Path tmp = TemporaryFiles.create("dbm-", ".qcow2");
        try (InputStream in = open(file)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            TemporaryFiles.delete(tmp);
            throw e;
        }
        return tmp;
    }

    /** A qcow2 image needs random access: a gzip-compressed one is unpacked to a temporary file first. */
    private record Uncompressed(Path path, boolean temporary) implements AutoCloseable {
        static Uncompressed of(final Path file) throws IOException {
            if (!isGzip(file)) {
                return new Uncompressed(file, false);
            }
            return new Uncompressed(gunzipToTemp(file), true);
        }

        @Override
        public void close() throws IOException {
            if (temporary) {
                TemporaryFiles.delete(path);
            }
        }
    }
}
