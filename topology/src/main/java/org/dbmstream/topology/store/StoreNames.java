package org.dbmstream.topology.store;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The topology's persistent (RocksDB, changelogged) state stores. The loading task keeps per bitmap its
 * metadata (with the other small tables, in {@link #META}) and, apart, its serialized bits per chunk; the
 * tracker keeps each migration's progress.
 */
public final class StoreNames {
    /**
     * The loading task's metadata, one {@link Keyspace} per kind (first key byte): bitmap key to
     * {@code BitmapState} ({@link #BITMAP_STATES}), migration id to its spec as the loading task knows
     * it ({@link #SPECS}), migration id to why loading it stopped here, cancel or fail ({@link #STOPS}),
     * target + node + bitmap name to the migration that completed it, for "already exists"
     * ({@link #NAMES}), and chunk key (migration, node alias, bitmap alias) to the last sequence number
     * and source id seen ({@link #SEQUENCES}), and target + node + bitmap name + bitmap key to the bitmap key,
     * the query index ({@link #INDEX}). All small, all rewritten often: one store, whose writes wait for
     * the commit ({@link WriteBackStore}).
     */
    public static final String META = "dbm-meta";
    /**
     * Bitmap key + segment index to 64 KiB of the bitmap's serialized bits ({@link SegmentedBits}; all-zero
     * segments absent). A segment rewritten by many chunks reaches RocksDB and the changelog about once per
     * commit ({@link WriteBackStore}).
     */
    public static final String BITS = "dbm-bits";
    /**
     * Migration id + arrival position to a chunk waiting for its migration's spec. A chunk usually waits
     * less than a commit interval (the spec's trip through the control topic), so its put and the delete
     * when it is loaded meet in the {@link WriteBackStore} and neither reaches RocksDB or the changelog.
     */
    public static final String PARKED = "dbm-parked";
    /** Keyspace tags of {@link #META}. */
    public static final byte BITMAP_STATES = 'b';
    public static final byte SPECS = 's';
    public static final byte STOPS = 'x';
    public static final byte NAMES = 'n';
    public static final byte SEQUENCES = 'q';
    public static final byte INDEX = 'i';
    /** Postcopy: target + node + bitmap key of every bitmap held (where a write lands). */
    public static final byte ON_NODE = 'o';
    /** Postcopy: migrations whose switchover applied here. */
    public static final byte SWITCHED = 'v';
    /** Postcopy: target + migration of each migration known here whose switchover has not arrived yet. */
    public static final byte AWAITING = 'w';
    /** Postcopy: migration + arrival position to a write held until that migration's switchover. */
    public static final byte HELD = 'h';
    /** Deltas: bitmap key + first byte to the end of a serialized byte range a loading delta's BITS wrote. */
    public static final byte TOUCHED = 'd';
    /** Versions: bitmap key of a refused delta or checked version (its later chunks are ignored). */
    public static final byte REFUSED = 'f';
    /** Postcopy: bitmap key of each completed bitmap whose count and sha256 are due (writes changed it). */
    public static final byte PENDING_UPDATES = 'u';
    /** Postcopy: migration + arrival position to a write barrier held until that migration's switchover. */
    public static final byte HELD_BARRIERS = 'r';
    /** Which layout the {@link #BITS} store is in (absent: maybe slots of earlier versions, to upgrade). */
    public static final byte LAYOUT = 'l';
    /** Migration id to its progress (tracker, keyed by migration). */
    public static final String MIGRATIONS = "dbm-migrations";
    /** Target + node + bitmap name to the migration holding it (the name claims, keyed by name). */
    public static final String CLAIMS = "dbm-claims";

    private StoreNames() {
    }

    /**
     * Default of {@link #WRITE_BUFFER_BYTES}: 64 segments of bits, so 64 bitmaps can load at once on one
     * partition and still reach the changelog once per segment and commit.
     */
    public static final long DEFAULT_WRITE_BUFFER_BYTES = 4L << 20;
    /**
     * Most memory the writes waiting for a task's next commit may take, per store and task (property
     * name; {@value #DEFAULT_WRITE_BUFFER_BYTES} by default; 0 writes every change through at once). Only
     * writes made since the last commit are held, so an idle task holds nothing.
     */
    public static final String WRITE_BUFFER_BYTES = "dbm.store.write.buffer.bytes";

    /** Names of the stores the loading processor uses. */
    public static String[] loading() {
        return new String[] {META, BITS, PARKED};
    }

    /** Builders of the loading processor's stores, each holding up to {@code bufferBytes} of writes until commit. */
    public static List<StoreBuilder<KeyValueStore<Bytes, byte[]>>> loadingBuilders(long bufferBytes) {
        return List.of(builder(META, bufferBytes), builder(BITS, bufferBytes), builder(PARKED, bufferBytes));
    }

    /** Builder of the name claims' store. */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> claimsBuilder(long bufferBytes) {
        return builder(CLAIMS, bufferBytes);
    }

    /** Builder of the tracker's store. */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> trackerBuilder(long bufferBytes) {
        return builder(MIGRATIONS, bufferBytes);
    }

    /**
     * A persistent, changelogged store without Kafka Streams' record cache, behind a {@link WriteBackStore}:
     * a bitmap's metadata (and its sequence number) is rewritten by every chunk, and its bits segment by
     * 64 chunks; the write-back buffer turns those rewrites into one RocksDB write and one changelog record
     * per commit, whichever partition the bitmap loads on.
     */
    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> builder(String name, long bufferBytes) {
        return new WriteBackStoreBuilder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name),
                Serdes.Bytes(), Serdes.ByteArray()).withCachingDisabled(), bufferBytes);
    }

    /** Builds a {@link WriteBackStore} over the store of a Kafka Streams builder. */
    private record WriteBackStoreBuilder(StoreBuilder<KeyValueStore<Bytes, byte[]>> inner, long bufferBytes)
            implements StoreBuilder<KeyValueStore<Bytes, byte[]>> {
        @Override
        public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingEnabled() {
            throw new UnsupportedOperationException("the record cache is replaced by the write-back buffer");
        }

        @Override
        public StoreBuilder<KeyValueStore<Bytes, byte[]>> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingEnabled(Map<String, String> config) {
            return new WriteBackStoreBuilder(inner.withLoggingEnabled(config), bufferBytes);
        }

        @Override
        public StoreBuilder<KeyValueStore<Bytes, byte[]>> withLoggingDisabled() {
            return new WriteBackStoreBuilder(inner.withLoggingDisabled(), bufferBytes);
        }

        @Override
        public KeyValueStore<Bytes, byte[]> build() {
            return new WriteBackStore(inner.build(), bufferBytes);
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }
}
