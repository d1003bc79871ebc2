package org.dbmstream.topology.record;

import java.util.Objects;
import org.dbmstream.bitmap.chunk.Chunk;

/**
 * What the loading processor consumes, merged from the chunks topic and the control topic: a chunk of a
 * migration, or a control record. Exactly one of {@code chunk} and {@code control} is set.
 */
public record LoadInput(String migration, Chunk chunk, Control control) {

    public LoadInput {
        Objects.requireNonNull(migration, "migration");
        if ((chunk == null) == (control == null)) {
            throw new IllegalArgumentException("a load input is either a chunk or a control record");
        }
    }

    public static LoadInput chunk(String migration, Chunk chunk) {
        return new LoadInput(migration, Objects.requireNonNull(chunk, "chunk"), null);
    }

    public static LoadInput control(Control control) {
        return new LoadInput(control.migration(), null, control);
    }
}
