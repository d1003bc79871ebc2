package org.dbmstream.nbd;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dbmstream.bitmap.BitmapDigest;
import org.dbmstream.bitmap.Granularity;

/**
 * Reads one live dirty bitmap of an NBD export (the {@code qemu:dirty-bitmap:NAME} context QEMU offers)
 * into a raw bitmap file, in bounded memory. NBD does not carry the granularity: the caller gives it, and
 * every change between dirty and clean extents must fall on a multiple of it (else the bitmap's real
 * granularity is smaller and the error says how small at most).
 */
public final class NbdDirtyBitmap {
    /** The QEMU metadata context prefix of dirty bitmaps. */
    public static final String CONTEXT_PREFIX = "qemu:dirty-bitmap:";

    private NbdDirtyBitmap() {
    }

    /** What was read: the export's size (the bitmap's disk size) and QEMU's sha256/count of the bitmap. */
    public record Result(long diskSize, BitmapDigest.Result digest) {
    }

    /** The names of the dirty bitmaps export {@code uri} offers. */
    public static List<String> list(final NbdUri uri, final Duration timeout) throws IOException {
        return NbdClient.listContexts(uri, timeout).stream().filter(c -> c.startsWith(CONTEXT_PREFIX))
                .map(c -> c.substring(CONTEXT_PREFIX.length())).toList();
    }

    /** Reads bitmap {@code bitmap} of the export of {@code uri} at {@code granularity} into {@code rawFile}. */
    public static Result read(final NbdUri uri, final String bitmap, final Granularity granularity, final Path rawFile,
            final Duration timeout) throws IOException {
        final String context = CONTEXT_PREFIX + bitmap;
        try (NbdClient client = NbdClient.open(uri, List.of(context), timeout)) {
            if (!client.contexts().contains(context)) {
                throw new NbdException("export '" + uri.exportName() + "' on " + uri.server()
                        + " has no dirty bitmap '" + bitmap + "' (the server offered no context '" + context
                        + "'; qemu-nbd needs -B NAME, block-export-add needs bitmaps: [NAME])");
            }
            final long size = client.exportSize();
            try (RawBitmapWriter writer = new RawBitmapWriter(rawFile, granularity.bitsFor(size), granularity)) {
                final Runs runs = new Runs(uri, bitmap, granularity, size, writer);
                client.blockStatus(context, runs::extent);
                runs.end();
                return new Result(size, writer.finish());
            }
        }
    }

    /** Merges extents into dirty/clean runs and sets the bits of dirty runs, checking alignment. */
    private static final class Runs {
        private final NbdUri uri;
        private final String bitmap;
        private final Granularity granularity;
        private final long size;
        private final RawBitmapWriter writer;
        private long runStart;
        private boolean runDirty;
        private long next;

        Runs(final NbdUri uri, final String bitmap, final Granularity granularity, final long size,
                final RawBitmapWriter writer) {
            this.uri = uri;
            this.bitmap = bitmap;
            this.granularity = granularity;
            this.size = size;
            this.writer = writer;
        }

        void extent(final long offset, final long length, final int flags) throws IOException {
            if (offset != next) {
                throw new NbdException("NBD server " + uri.server() + " sent an extent at offset " + offset
                        + " where " + next + " was expected");
            }
            final boolean dirty = (flags & NbdProtocol.STATE_DIRTY) != 0;
            if (dirty != runDirty && offset > 0) {
                closeRun(offset);
            }
            if (dirty != runDirty || offset == 0) {
                runStart = offset;
                runDirty = dirty;
            }
            next = offset + length;
        }

        private void closeRun(final long end) throws IOException {
            if ((end & (granularity.bytes() - 1)) != 0 && end != size) {
                throw new NbdException("bitmap '" + bitmap + "' of export '" + uri.exportName() + "' changes between "
                        + "dirty and clean at offset " + end + ", which is not a multiple of the granularity "
                        + granularity.bytes() + ": its granularity is at most " + Long.lowestOneBit(end)
                        + " (give granularity=" + Long.lowestOneBit(end) + ", as query-block reports it)");
            }
            if (runDirty) {
                writer.set(runStart >>> granularity.shift(), granularity.bitsFor(end));
            }
        }

        void end() throws IOException {
            if (next != size) {
                throw new NbdException("NBD server " + uri.server() + " described " + next + " of " + size + " bytes");
            }
            if (size > 0) {
                closeRun(size);
            }
        }
    }
}
