package org.dbmstream.source.sync;

import java.util.List;

/**
 * One round of a sync: every bitmap's outcome, the migrations it published (none when nothing changed, two
 * when refused deltas went again whole), what they cost, and how long the round took.
 *
 * @param round      the round's number in its session, from 1
 * @param bitmaps    per bitmap, in name order
 * @param migrations ids of the migrations published
 * @param records    records published (specs and chunks)
 * @param bytes      bytes published (keys and values)
 * @param millis     from reading the sources to the last confirmation
 */
public record RoundResult(int round, List<BitmapOutcome> bitmaps, List<String> migrations, long records, long bytes,
        long millis) {

    public RoundResult {
        bitmaps = List.copyOf(bitmaps);
        migrations = List.copyOf(migrations);
    }

    /** Bitmaps whose outcome was {@code r}. */
    public long count(BitmapOutcome.Result r) {
        return bitmaps.stream().filter(b -> b.result() == r).count();
    }

    /** Whether every bitmap's replica is now the source's version. */
    public boolean ok() {
        return bitmaps.stream().allMatch(BitmapOutcome::ok);
    }
}
