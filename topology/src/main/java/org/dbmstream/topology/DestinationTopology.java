package org.dbmstream.topology;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.load.MigrationFact;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.DestinationWrite;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.claim.NameClaims;
import org.dbmstream.topology.processor.ChunkLoadProcessor;
import org.dbmstream.topology.processor.MetricsTap;
import org.dbmstream.topology.processor.MigrationTrackerProcessor;
import org.dbmstream.topology.processor.SpecBroadcastProcessor;
import org.dbmstream.topology.record.BroadcastPartitioner;
import org.dbmstream.topology.record.CheckedChunkValueSerde;
import org.dbmstream.topology.record.ReceivedChunk;
import org.dbmstream.topology.record.RejectedChunk;
import org.dbmstream.topology.record.Control;
import org.dbmstream.topology.record.ControlSerde;
import org.dbmstream.topology.record.FactSerde;
import org.dbmstream.topology.record.LoadInput;
import org.dbmstream.topology.record.WriteRecords;
import org.dbmstream.topology.spec.SpecLookup;
import org.dbmstream.topology.store.StoreNames;

/**
 * The destination's Kafka Streams topology (DESIGN.md section 6):
 * <ol>
 * <li>specs: each migration spec from the compacted {@code migrations} topic is broadcast to every
 * partition of the {@code control} topic;</li>
 * <li>loading: each partition of {@code chunks}, together with the same partition of {@code control},
 * is loaded with QEMU's semantics into RocksDB stores (metadata per bitmap, bits per chunk); chunks stay
 * where they arrive, so the chunks of one bitmap (one key) are loaded in order; bitmap events go to
 * {@code events};</li>
 * <li>tracking: the loading tasks' facts are re-keyed by migration id (repartition topic {@code facts}),
 * so one task decides each migration: MigrationCompleted from the EndOfStream manifest,
 * MigrationCancelled/Failed once, and a cancel or fail broadcast on {@code control} to every loading
 * partition, which drops the migration's unfinished bitmaps and ignores its later chunks;</li>
 * <li>postcopy: a switchover chunk is broadcast on {@code control} by the task that loads it, and every
 * destination write of the {@code writes} topic is broadcast there too, so each loading partition sets
 * bits in the recording bitmaps it holds (DESIGN.md section 10).</li>
 * <li>claims: a bitmap that completed asks for its name (target, node, bitmap) on the repartition topic
 * {@code claims-by-name}; the first migration to ask wins and its BitmapCompleted is emitted there, a
 * later one fails with "already exists" and its bitmap is revoked where it loaded.</li>
 * </ol>
 */
public final class DestinationTopology {
    private DestinationTopology() {
    }

    /** Builds the topology for {@code config}'s topics and serdes; chunks wait for their spec's control record. */
    public static Topology build(DestinationConfig config) {
        return build(config, SpecLookup.NONE);
    }

    /**
     * Builds the topology for {@code config}'s topics and serdes; a chunk whose spec has not reached its
     * partition yet asks {@code specLookup} (e.g. a {@link org.dbmstream.topology.spec.SpecWatcher}).
     */
    public static Topology build(DestinationConfig config, SpecLookup specLookup) {
        return build(config, specLookup, EventObserver.NONE);
    }

    /** As {@link #build(DestinationConfig, SpecLookup)}, handing every event emitted to {@code observer}. */
    public static Topology build(DestinationConfig config, SpecLookup specLookup, EventObserver observer) {
        Topics topics = config.topics();
        Map<String, Object> serdeConfig = config.serdeConfig();
        String control = config.controlTopic();
        Serde<Control> controlSerde = new ControlSerde();
        Serde<Event> eventSerde = DbmSerdes.event(serdeConfig);
        Serde<MigrationSpec> specSerde = DbmSerdes.migrationSpec(serdeConfig);
        Serde<ChunkKey> keySerde = DbmSerdes.chunkKey(serdeConfig);
        Serde<ReceivedChunk> valueSerde = new CheckedChunkValueSerde(serdeConfig);
        Serde<DestinationWrite> writeSerde = DbmSerdes.destinationWrite(serdeConfig);
        long eventCommitMs = config.eventCommitIntervalMs();

        StreamsBuilder builder = new StreamsBuilder();
        long buffer = config.writeBufferBytes();
        StoreNames.loadingBuilders(buffer).forEach(builder::addStateStore);
        builder.addStateStore(StoreNames.trackerBuilder(buffer));
        builder.addStateStore(StoreNames.claimsBuilder(buffer));

        builder.stream(topics.migrations(), Consumed.with(Serdes.String(), specSerde).withName("migrations"))
                .process(SpecBroadcastProcessor::new, Named.as("spec-to-control"))
                .to(control, broadcast(controlSerde, "broadcast-specs"));

        KStream<String, LoadInput> chunks = builder
                .stream(topics.chunks(), Consumed.with(keySerde, valueSerde).withName("chunks"))
                .filter((key, value) -> key != null && value != null, Named.as("has-chunk"))
                .map((key, value) -> KeyValue.pair(key.getMigration(),
                        value.withKey(key)), Named.as("to-chunk"))
                .processValues(MetricsTap::chunks, Named.as("count-chunks"));
        builder.stream(topics.writes(), Consumed.with(Serdes.String(), writeSerde).withName("writes"))
                .filter((key, w) -> w != null, Named.as("has-write"))
                .mapValues(WriteRecords::control, Named.as("write-to-control"))
                .to(control, broadcast(controlSerde, "broadcast-writes"));
        KStream<String, LoadInput> controls = builder
                .stream(control, Consumed.with(Serdes.String(), controlSerde).withName("control"))
                .filter((id, c) -> c != null, Named.as("has-control"))
                .mapValues(LoadInput::control, Named.as("to-control-input"));

        KStream<String, Object> loaded = chunks.merge(controls, Named.as("chunks-and-control"))
                .process(() -> new ChunkLoadProcessor(eventCommitMs, config.idleTimeoutMs(), specLookup,
                        config.updateIntervalMs()), Named.as("load"),
                        StoreNames.loading());
        loaded.filter((id, v) -> v instanceof RejectedChunk, Named.as("rejected-chunks"))
                .map((id, v) -> KeyValue.pair(((RejectedChunk) v).key(), ((RejectedChunk) v).value()),
                        Named.as("as-dead-letter"))
                .to(config.deadLetterTopic(), Produced.with(keySerde, Serdes.ByteArray()).withName("dead-letters"));
        loaded.filter((id, v) -> v instanceof Event, Named.as("bitmap-events"))
                .mapValues(v -> (Event) v, Named.as("as-bitmap-event"))
                .processValues(() -> MetricsTap.events(observer), Named.as("count-bitmap-events"))
                .to(topics.events(), Produced.with(Serdes.String(), eventSerde).withName("emit-bitmap-events"));

        loaded.filter((id, v) -> v instanceof Control, Named.as("switchovers"))
                .mapValues(v -> (Control) v, Named.as("as-switchover"))
                .to(control, broadcast(controlSerde, "broadcast-switchovers"));
        KStream<String, Object> claimed = NameClaims.claim(loaded, eventCommitMs);
        claimed.filter((id, v) -> v instanceof Event, Named.as("claimed-events"))
                .mapValues(v -> (Event) v, Named.as("as-claimed-event"))
                .processValues(() -> MetricsTap.events(observer), Named.as("count-claimed-events"))
                .to(topics.events(), Produced.with(Serdes.String(), eventSerde).withName("emit-claimed-events"));
        claimed.filter((id, v) -> v instanceof Control, Named.as("revocations"))
                .mapValues(v -> (Control) v, Named.as("as-revocation"))
                .to(control, broadcast(controlSerde, "broadcast-revocations"));

        KStream<String, Object> tracked = loaded.filter((id, v) -> v instanceof MigrationFact, Named.as("facts"))
                .merge(claimed.filter((id, v) -> v instanceof MigrationFact, Named.as("claim-facts")),
                        Named.as("load-and-claim-facts"))
                .mapValues(v -> (MigrationFact) v, Named.as("as-fact"))
                .repartition(Repartitioned.with(Serdes.String(), new FactSerde()).withName("facts-by-migration"))
                .process(() -> new MigrationTrackerProcessor(eventCommitMs), Named.as("track"),
                        StoreNames.MIGRATIONS);
        tracked.filter((id, v) -> v instanceof Event, Named.as("migration-events"))
                .mapValues(v -> (Event) v, Named.as("as-migration-event"))
                .processValues(() -> MetricsTap.events(observer), Named.as("count-migration-events"))
                .to(topics.events(), Produced.with(Serdes.String(), eventSerde).withName("emit-migration-events"));
        tracked.filter((id, v) -> v instanceof Control, Named.as("decisions"))
                .mapValues(v -> (Control) v, Named.as("as-decision"))
                .to(control, broadcast(controlSerde, "broadcast-decisions"));
        return builder.build();
    }

    /** A sink to every partition of the control topic. */
    private static Produced<String, Control> broadcast(Serde<Control> serde, String name) {
        return Produced.with(Serdes.String(), serde).withStreamPartitioner(new BroadcastPartitioner<String, Control>())
                .withName(name);
    }
}
