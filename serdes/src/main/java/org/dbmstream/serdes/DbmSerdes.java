package org.dbmstream.serdes;

import java.util.Map;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.schemas.DestinationWrite;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.schemas.SyncState;

/**
 * Serdes of every dbm-stream record type. The factory methods return configured serdes; the nested
 * classes have no-arg constructors so they can be named in Kafka configs (e.g. Kafka Streams'
 * {@code default.value.serde}), where Kafka calls {@code configure} with the client's config.
 */
public final class DbmSerdes {
    private DbmSerdes() {
    }

    /** Key serde of the chunks topic. */
    public static AvroSerde<ChunkKey> chunkKey(Map<String, ?> config) {
        return new AvroSerde<>(ChunkKey.class, config, true);
    }

    /** Value serde of the chunks topic. */
    public static AvroSerde<ChunkValue> chunkValue(Map<String, ?> config) {
        return new AvroSerde<>(ChunkValue.class, config, false);
    }

    /** Value serde of the migrations topic (keys there are plain strings). */
    public static AvroSerde<MigrationSpec> migrationSpec(Map<String, ?> config) {
        return new AvroSerde<>(MigrationSpec.class, config, false);
    }

    /** Value serde of the events topic. */
    public static AvroSerde<Event> event(Map<String, ?> config) {
        return new AvroSerde<>(Event.class, config, false);
    }

    /** Value serde of the writes topic. */
    public static AvroSerde<DestinationWrite> destinationWrite(Map<String, ?> config) {
        return new AvroSerde<>(DestinationWrite.class, config, false);
    }

    /** Value serde of the sync topic (what {@code dbm sync} remembers; keys there are plain strings). */
    public static AvroSerde<SyncState> syncState(Map<String, ?> config) {
        return new AvroSerde<>(SyncState.class, config, false);
    }

    /** {@link ChunkKey} serde for configs. */
    public static final class ChunkKeySerde extends AvroSerde<ChunkKey> {
        public ChunkKeySerde() {
            super(ChunkKey.class);
        }
    }

    /** {@link ChunkValue} serde for configs. */
    public static final class ChunkValueSerde extends AvroSerde<ChunkValue> {
        public ChunkValueSerde() {
            super(ChunkValue.class);
        }
    }

    /** {@link MigrationSpec} serde for configs. */
    public static final class MigrationSpecSerde extends AvroSerde<MigrationSpec> {
        public MigrationSpecSerde() {
            super(MigrationSpec.class);
        }
    }

    /** {@link Event} serde for configs. */
    public static final class EventSerde extends AvroSerde<Event> {
        public EventSerde() {
            super(Event.class);
        }
    }

    /** {@link DestinationWrite} serde for configs. */
    public static final class DestinationWriteSerde extends AvroSerde<DestinationWrite> {
        public DestinationWriteSerde() {
            super(DestinationWrite.class);
        }
    }
}
