package org.dbmstream.source;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.dbmstream.bitmap.ReplicaNames;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.bitmap.mapping.BlockBitmapMapping;

/**
 * What to publish as one migration: the inputs, the source-side mapping that selects and aliases
 * their bitmaps, and what the migration spec tells the destination (target, destination-side mapping,
 * known destination nodes with their sizes).
 */
public final class MigrationRequest {
    private final String migrationId;
    private final String target;
    private final List<MigrationInput> inputs;
    private final AliasMap sourceMapping;
    private final BlockBitmapMapping destinationMapping;
    private final Map<String, Long> destinationNodes;
    private final boolean replace;
    private final boolean switchover;
    private final String fingerprint;

    private MigrationRequest(Builder b) {
        this.fingerprint = b.fingerprint;
        this.replace = b.replace;
        this.migrationId = b.migrationId != null ? b.migrationId : newMigrationId();
        this.target = b.target;
        this.inputs = List.copyOf(b.inputs);
        this.sourceMapping = b.sourceMapping;
        this.destinationMapping = b.destinationMapping;
        this.switchover = b.switchover;
        this.destinationNodes = b.destinationNodes == null ? null
                : Collections.unmodifiableMap(new LinkedHashMap<>(b.destinationNodes));
        // names the replica could not be read back by are refused before anything is published
        ReplicaNames.check(ReplicaNames.Kind.MIGRATION_ID, migrationId);
        ReplicaNames.check(ReplicaNames.Kind.TARGET, target);
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("a migration needs at least one input");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A fresh migration id, {@code mig-} and a random UUID. */
    public static String newMigrationId() {
        return "mig-" + UUID.randomUUID();
    }

    public String migrationId() {
        return migrationId;
    }

    public String target() {
        return target;
    }

    public List<MigrationInput> inputs() {
        return inputs;
    }

    /** Source-side mapping, or null (names travel as themselves). */
    public AliasMap sourceMapping() {
        return sourceMapping;
    }

    /** Destination-side mapping for the spec, or null. */
    public BlockBitmapMapping destinationMapping() {
        return destinationMapping;
    }

    /** Known destination nodes (name to size in bytes) for the spec, or null (implied by START). */
    public Map<String, Long> destinationNodes() {
        return destinationNodes;
    }

    /** Whether the bitmaps replace completed ones of the same names on the target (else "already exists"). */
    public boolean replace() {
        return replace;
    }

    /** The content fingerprint the spec carries ({@link MigrationFingerprint}), or null (none sent). */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * Whether the destination VM starts right after the STARTs (QEMU's {@code migrate-start-postcopy} at
     * once); a postcopy stream switches over where its RUN command is either way.
     */
    public boolean switchover() {
        return switchover;
    }

    /** Builds a {@link MigrationRequest}. */
    public static final class Builder {
        private boolean switchover;
        private String migrationId;
        private String target = "default";
        private final List<MigrationInput> inputs = new ArrayList<>();
        private AliasMap sourceMapping;
        private BlockBitmapMapping destinationMapping;
        private Map<String, Long> destinationNodes;
        private boolean replace;
        private String fingerprint;

        /** The content fingerprint to send with the spec ({@link MigrationFingerprint#of}). */
        public Builder fingerprint(String fingerprint) {
            this.fingerprint = fingerprint;
            return this;
        }

        /** Migration id; a fresh one when not set. */
        public Builder migrationId(String id) {
            this.migrationId = id;
            return this;
        }

        /** Destination namespace (default {@code default}). */
        public Builder target(String target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        public Builder input(MigrationInput input) {
            inputs.add(Objects.requireNonNull(input, "input"));
            return this;
        }

        public Builder inputs(List<? extends MigrationInput> more) {
            more.forEach(this::input);
            return this;
        }

        public Builder sourceMapping(AliasMap mapping) {
            this.sourceMapping = mapping;
            return this;
        }

        public Builder destinationMapping(BlockBitmapMapping mapping) {
            this.destinationMapping = mapping;
            return this;
        }

        /** Adds a known destination node; once any is given, the spec lists exactly these. */
        public Builder destinationNode(String name, long size) {
            if (destinationNodes == null) {
                destinationNodes = new LinkedHashMap<>();
            }
            destinationNodes.put(Objects.requireNonNull(name, "name"), size);
            return this;
        }

        /** Re-replication: replace completed bitmaps of the same names at COMPLETE (default: QEMU's "already exists"). */
        public Builder replace(boolean on) {
            this.replace = on;
            return this;
        }

        /** Switch over right after the STARTs (see {@link MigrationRequest#switchover()}). */
        public Builder switchover(boolean on) {
            this.switchover = on;
            return this;
        }

        public MigrationRequest build() {
            return new MigrationRequest(this);
        }
    }
}
