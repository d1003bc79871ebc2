package org.dbmstream.topology.store;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The topology's persistent (RocksDB, changelogged) state stores. The loading task keeps per bitmap its
 * metadata and, apart, its serialized bits per chunk; the tracker keeps each migration's progress.
 */
public final class StoreNames {
    /** Bitmap key to {@code BitmapState}. */
    public static final String BITMAPS = "dbm-bitmaps";
    /** Bitmap key + chunk index to the chunk's serialized bytes (all-zero chunks absent). */
    public static final String BITS = "dbm-bits";
    /** Migration id to its spec as the loading task knows it. */
    public static final String SPECS = "dbm-specs";
    /** Migration id + arrival position to a chunk waiting for its migration's spec. */
    public static final String PARKED = "dbm-parked";
    /** Migration id to why loading it stopped here (cancel or fail). */
    public static final String STOPS = "dbm-stops";
    /** Target + node + bitmap name to the migration that completed it ("already exists"). */
    public static final String NAMES = "dbm-names";
    /** Chunk key (migration, node alias, bitmap alias) to the last sequence number and source id seen. */
    public static final String SEQUENCES = "dbm-sequences";
    /** Migration id to its progress (tracker, keyed by migration). */
    public static final String MIGRATIONS = "dbm-migrations";

    private StoreNames() {
    }

    /** Names of the stores the loading processor uses. */
    public static String[] loading() {
        return new String[] {BITMAPS, BITS, SPECS, PARKED, STOPS, NAMES, SEQUENCES};
    }

    /** Builders of the loading processor's stores. */
    public static List<StoreBuilder<KeyValueStore<Bytes, byte[]>>> loadingBuilders() {
        return List.of(cached(BITMAPS), builder(BITS), cached(SPECS), builder(PARKED), cached(STOPS), cached(NAMES),
                cached(SEQUENCES));
    }

    /** Builder of the tracker's store. */
    public static StoreBuilder<KeyValueStore<Bytes, byte[]>> trackerBuilder() {
        return cached(MIGRATIONS);
    }

    /**
     * A store behind Kafka Streams' record cache: a bitmap's metadata is rewritten by every chunk, and
     * the cache turns those rewrites into one RocksDB write and one changelog record per commit.
     */
    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> cached(String name) {
        return builder(name).withCachingEnabled();
    }

    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> builder(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray());
    }
}
