package org.dbmstream.topology.record;

import java.util.Objects;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * What the loading processor consumes, merged from the chunks topic and the control topic: a chunk of a
 * migration, or a control record. Exactly one of {@code chunk} and {@code control} is set. A chunk
 * carries its source id and per-key sequence number (-1: none) so redeliveries can be dropped.
 */
public record LoadInput(String migration, Chunk chunk, Control control, String sourceId, long sequence,
        RejectedChunk rejected) {

    public LoadInput {
        Objects.requireNonNull(migration, "migration");
        if ((chunk != null ? 1 : 0) + (control != null ? 1 : 0) + (rejected != null ? 1 : 0) != 1) {
            throw new IllegalArgumentException("a load input is either a chunk, a control record or a rejected chunk");
        }
    }

    public LoadInput(String migration, Chunk chunk, Control control, String sourceId, long sequence) {
        this(migration, chunk, control, sourceId, sequence, null);
    }

    /** A chunk record of a known migration whose value is no valid chunk. */
    public static LoadInput rejected(RejectedChunk rejected) {
        return new LoadInput(rejected.key().getMigration(), null, null, "", -1, rejected);
    }

    /** A chunk without a sequence number: never judged a duplicate. */
    public static LoadInput chunk(String migration, Chunk chunk) {
        return chunk(migration, chunk, "", -1);
    }

    public static LoadInput chunk(String migration, Chunk chunk, String sourceId, long sequence) {
        return new LoadInput(migration, Objects.requireNonNull(chunk, "chunk"), null,
                sourceId == null ? "" : sourceId, sequence);
    }

    public static LoadInput control(Control control) {
        return new LoadInput(control.migration(), null, control, "", -1);
    }
}
