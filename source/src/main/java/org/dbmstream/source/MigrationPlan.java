package org.dbmstream.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.dbmstream.schemas.MigrationSpec;

/**
 * A migration ready to send: its spec and its chunks, with the files they are read from kept open
 * until {@link #close()}.
 */
public final class MigrationPlan implements AutoCloseable {
    private final MigrationSpec spec;
    private final ChunkSource chunks;
    private final List<AutoCloseable> resources;
    private String fingerprint;

    public MigrationPlan(MigrationSpec spec, ChunkSource chunks, List<? extends AutoCloseable> resources) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.chunks = Objects.requireNonNull(chunks, "chunks");
        this.resources = new ArrayList<>(resources);
    }

    public String migrationId() {
        return spec.getMigration();
    }

    public String target() {
        return spec.getTarget();
    }

    /** The content fingerprint sent with the spec ({@link MigrationFingerprint#HEADER}), or null. */
    public String fingerprint() {
        return fingerprint;
    }

    /** Sets the content fingerprint sent with the spec. */
    public MigrationPlan fingerprint(String value) {
        this.fingerprint = value;
        return this;
    }

    public MigrationSpec spec() {
        return spec;
    }

    public ChunkSource chunks() {
        return chunks;
    }

    /** The bitmaps this migration sends, in order. */
    public List<PublishedBitmap> bitmaps() {
        return chunks.bitmaps();
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            chunks.close();
        } catch (RuntimeException e) {
            failure = e;
        }
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("cannot close " + r, e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
