package org.dbmstream.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.Granularity;

/**
 * A replica bitmap's raw bytes (the query API's {@code .../raw}) received and checked before anything uses
 * them: the body must have exactly the length the bitmap's metadata implies, {@code ceil(ceil(size /
 * granularity) / 8)} bytes (DESIGN.md section 9), and QEMU's sha256 and count computed over what arrived
 * must equal the metadata's. A wrong bitmap handed to QEMU would corrupt every later incremental backup,
 * so a short, long or different body is an error naming the URL, never a file in place.
 *
 * <p>Reads stop one byte past the expected length, so an endless body cannot fill the disk, and metadata
 * claiming a bitmap over {@link #MAX_BYTES} is refused before a byte is read.
 */
public final class RawBitmapDownload {
    /**
     * The largest raw bitmap accepted: 512 MiB, QEMU's own limit for a bitmap it stores in a qcow2 image
     * ({@code BME_MAX_PHYS_SIZE}), 2^32 bits: a 256 TiB disk at 64 KiB granularity, 2 TiB at 512 B.
     */
    public static final long MAX_BYTES = 512L << 20;
    /** How often a bitmap that changed while it was read (a recording replica) is read again. */
    static final int ATTEMPTS = 3;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private RawBitmapDownload() {
    }

    /** Where a bitmap's metadata and raw body come from (one destination's query API). */
    public interface Source {
        /** The bitmap's metadata as the API describes it now. */
        ReplicaBitmap metadata() throws IOException;

        /** The raw body; the caller closes it. */
        InputStream body() throws IOException;
    }

    /** A body that arrived whole but differs from the metadata (the bitmap may have changed meanwhile). */
    static final class MismatchException extends IOException {
        private static final long serialVersionUID = 1L;

        MismatchException(String message) {
            super(message);
        }
    }

    /**
     * Receives the bitmap of {@code source} into {@code file} (replaced) and returns the metadata it was
     * checked against. When the body does not match and the metadata changed meanwhile (writes reached a
     * recording replica between the two requests), it is read again, up to {@value #ATTEMPTS} times.
     * On an exception the file's content is undefined: the caller deletes it.
     *
     * @param url the raw body's URL, for messages
     */
    public static ReplicaBitmap fetch(Source source, String url, Path file) throws IOException {
        ReplicaBitmap meta = source.metadata();
        for (int attempt = 1; ; attempt++) {
            check(meta, url);
            Path dir = file.toAbsolutePath().getParent();
            long room = Files.getFileStore(dir).getUsableSpace();
            if (room < expectedBytes(meta)) {
                throw new IOException(url + ": bitmap '" + meta.name() + "' needs " + expectedBytes(meta)
                        + " bytes, " + dir + " has room for " + room + "; nothing was written");
            }
            try (InputStream in = source.body(); OutputStream out = Files.newOutputStream(file)) {
                receive(in, meta, url, out);
                return meta;
            } catch (MismatchException e) {
                ReplicaBitmap now = source.metadata();
                if (attempt == ATTEMPTS || sameContent(now, meta)) {
                    throw e;
                }
                meta = now;
            }
        }
    }

    /** The raw body's length the metadata implies: {@code ceil(ceil(size / granularity) / 8)} bytes. */
    public static long expectedBytes(ReplicaBitmap b) {
        long bits = (b.size() + b.granularity() - 1) / b.granularity();
        return (bits + 7) / 8;
    }

    /** Refuses metadata no bitmap can be received for: geometry out of range, no digest, over the cap. */
    static void check(ReplicaBitmap b, String url) throws IOException {
        String what = url + ": bitmap '" + b.name() + "'";
        if (b.granularity() < Granularity.MIN || b.granularity() > Granularity.MAX
                || Long.bitCount(b.granularity()) != 1) {
            throw new IOException(what + " has granularity " + b.granularity()
                    + ", not a power of two from 512 to 2147483648");
        }
        if (b.size() < 0) {
            throw new IOException(what + " has a disk size of " + b.size() + " bytes");
        }
        if (!b.complete()) {
            throw new IOException(what + " is " + b.state() + ", not complete: its bytes cannot be checked against "
                    + "a sha256 yet; nothing was written");
        }
        if (b.sha256() == null || !SHA256.matcher(b.sha256()).matches() || b.count() < 0) {
            throw new IOException(what + " has no valid sha256/count in its metadata (sha256 " + b.sha256()
                    + ", count " + b.count() + "): it cannot be checked");
        }
        // the size is checked before it is multiplied: a claimed 2^62-byte disk must not overflow
        if (b.size() / b.granularity() / 8 > MAX_BYTES || expectedBytes(b) > MAX_BYTES) {
            throw new IOException(what + " claims a disk of " + b.size() + " bytes at granularity "
                    + b.granularity() + ": " + expectedBytes(b) + " bytes of raw bitmap, more than the "
                    + MAX_BYTES + " (512 MiB, QEMU's largest persistent bitmap) dbm accepts; nothing was written");
        }
    }

    /**
     * Copies the body to {@code out}, reading at most one byte more than expected, and checks its length,
     * sha256 and count against {@code meta}.
     */
    static void receive(InputStream in, ReplicaBitmap meta, String url, OutputStream out) throws IOException {
        long expected = expectedBytes(meta);
        BitmapDigest digest = new BitmapDigest(Granularity.of(meta.granularity()));
        byte[] buf = new byte[1 << 16];
        long received = 0;
        while (received <= expected) {
            int n;
            try {
                n = in.read(buf, 0, (int) Math.min(buf.length, expected + 1 - received));
            } catch (IOException e) {
                throw new IOException(url + ": the body broke off after " + received + " of " + expected
                        + " bytes (" + e.getMessage() + "); nothing was written", e);
            }
            if (n < 0) {
                break;
            }
            long usable = Math.min(n, expected - received);
            digest.update(buf, 0, (int) usable);
            out.write(buf, 0, (int) usable);
            received += n;
        }
        String geometry = " (disk of " + meta.size() + " bytes at granularity " + meta.granularity() + ")";
        if (received < expected) {
            throw new IOException(url + ": truncated body: received " + received + " of the " + expected
                    + " bytes the metadata implies" + geometry + "; nothing was written");
        }
        if (received > expected) {
            throw new IOException(url + ": body too long: more than the " + expected
                    + " bytes the metadata implies" + geometry + "; nothing was written");
        }
        BitmapDigest.Result got = digest.finish();
        if (!got.sha256().equals(meta.sha256()) || got.count() != meta.count()) {
            throw new MismatchException(url + ": the body's sha256 " + got.sha256() + " and count " + got.count()
                    + " differ from the metadata's sha256 " + meta.sha256() + " and count " + meta.count()
                    + "; nothing was written");
        }
    }

    private static boolean sameContent(ReplicaBitmap a, ReplicaBitmap b) {
        return a.size() == b.size() && a.granularity() == b.granularity() && a.count() == b.count()
                && java.util.Objects.equals(a.sha256(), b.sha256());
    }
}
