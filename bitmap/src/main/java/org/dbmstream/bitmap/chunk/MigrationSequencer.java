package org.dbmstream.bitmap.chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The chunks of one migration in QEMU's save-side order: {@link #setup} sends START for every bitmap
 * then EOS; each {@link #iterate} sends BITS chunks until the rate limit says stop, then EOS;
 * {@link #complete} sends the remaining BITS, COMPLETE for every bitmap, and a final EOS carrying the
 * manifest. Chunks go to the sink one at a time; a bitmap's position advances only after the sink took
 * its chunk. Not thread-safe: one migration, one caller.
 */
public final class MigrationSequencer {
    private enum Phase { NEW, RUNNING, DONE }

    private final List<BitmapState> bitmaps = new ArrayList<>();
    private final List<Chunk.BitmapRef> manifest = new ArrayList<>();
    private Phase phase = Phase.NEW;
    private boolean bulkCompleted;

    /** Chunks of QEMU's width (1 KiB of bitmap). */
    public MigrationSequencer(List<MigrationBitmap> bitmaps) {
        this(bitmaps, ChunkSize.QEMU);
    }

    /** BITS chunks of {@code chunkSize} of bitmap each. */
    public MigrationSequencer(List<MigrationBitmap> bitmaps, ChunkSize chunkSize) {
        for (MigrationBitmap b : bitmaps) {
            Objects.requireNonNull(b, "bitmap");
            Chunk.BitmapRef ref = b.ref();
            if (manifest.contains(ref)) {
                throw new IllegalArgumentException("bitmap " + ref.nodeAlias() + "/" + ref.bitmapAlias()
                        + " is listed twice");
            }
            manifest.add(ref);
            this.bitmaps.add(new BitmapState(b, chunkSize));
        }
    }

    /** The bitmaps this migration sends, as the final EOS lists them. */
    public List<Chunk.BitmapRef> manifest() {
        return List.copyOf(manifest);
    }

    /** Setup phase ({@code dirty_bitmap_save_setup}): START for every bitmap, then EOS. */
    public void setup(Consumer<? super Chunk> sink) {
        expect(Phase.NEW, "setup");
        for (BitmapState b : bitmaps) {
            sink.accept(b.bitmap.start());
        }
        sink.accept(Chunk.EndOfStream.empty());
        phase = Phase.RUNNING;
    }

    /**
     * One iteration ({@code dirty_bitmap_save_iterate} in postcopy): BITS chunks in bitmap order until
     * {@code rateExceeded} says true (asked after each chunk, so at least one is sent) or all are sent,
     * then EOS. Returns whether the bulk phase is done. As in QEMU, when the limit is hit right after a
     * bitmap's last chunk, completion is only noticed (and reported) by the next iteration.
     */
    public boolean iterate(Consumer<? super Chunk> sink, BooleanSupplier rateExceeded) {
        expect(Phase.RUNNING, "iterate");
        if (!bulkCompleted) {
            bulk(sink, rateExceeded);
        }
        sink.accept(Chunk.EndOfStream.empty());
        return bulkCompleted;
    }

    /**
     * Completion ({@code dirty_bitmap_save_complete}): every BITS chunk not yet sent, COMPLETE for every
     * bitmap, and the final EOS with the manifest.
     */
    public void complete(Consumer<? super Chunk> sink) {
        expect(Phase.RUNNING, "complete");
        if (!bulkCompleted) {
            bulk(sink, () -> false);
        }
        for (BitmapState b : bitmaps) {
            sink.accept(b.bitmap.complete());
        }
        sink.accept(new Chunk.EndOfStream(manifest));
        phase = Phase.DONE;
    }

    public boolean bulkCompleted() {
        return bulkCompleted;
    }

    /**
     * QEMU's pending estimate ({@code dirty_bitmap_state_pending}): bits not yet sent of bitmaps whose
     * bulk phase is not done; 0 once the migration is complete.
     */
    public long pendingBits() {
        if (phase == Phase.DONE) {
            return 0;
        }
        long pending = 0;
        for (BitmapState b : bitmaps) {
            if (!b.bulkCompleted()) {
                pending += b.chunker.layout().remainingBits(b.curSector);
            }
        }
        return pending;
    }

    private void bulk(Consumer<? super Chunk> sink, BooleanSupplier rateExceeded) {
        for (BitmapState b : bitmaps) {
            while (!b.bulkCompleted()) {
                Chunk.Bits c = b.chunker.chunk(b.nextChunk);
                sink.accept(c);
                b.nextChunk++;
                b.curSector = c.firstSector() + c.sectors();
                if (rateExceeded.getAsBoolean()) {
                    return;
                }
            }
        }
        bulkCompleted = true;
    }

    private void expect(Phase expected, String step) {
        if (phase != expected) {
            throw new IllegalStateException("cannot " + step + " a migration in phase " + phase);
        }
    }

    /** QEMU's SaveBitmapState: where the bulk phase of one bitmap stands. */
    private static final class BitmapState {
        final MigrationBitmap bitmap;
        final BitmapChunker chunker;
        long nextChunk;
        long curSector;

        BitmapState(MigrationBitmap bitmap, ChunkSize chunkSize) {
            this.bitmap = bitmap;
            this.chunker = new BitmapChunker(bitmap.bits(), bitmap.nodeAlias(), bitmap.bitmapAlias(), chunkSize);
        }

        boolean bulkCompleted() {
            return nextChunk >= chunker.chunkCount();
        }
    }
}
