package org.dbmstream.topology;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.bitmap.mapping.BitmapAlias;
import org.dbmstream.bitmap.mapping.NodeAlias;
import org.dbmstream.schemas.BitmapMapping;
import org.dbmstream.schemas.BitmapTransform;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.schemas.DestinationNode;
import org.dbmstream.schemas.DestinationWrite;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.schemas.NodeMapping;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;

/**
 * The destination topology in a {@link TopologyTestDriver}, with the real serdes and RocksDB stores:
 * publish specs and chunks as a source would, read the events and the dead-letter queue.
 */
final class DestinationDriver implements AutoCloseable {
    private final Path stateDir;
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, MigrationSpec> migrations;
    private final TestInputTopic<ChunkKey, ChunkValue> chunks;
    private final TestInputTopic<byte[], byte[]> rawChunks;
    private final TestInputTopic<byte[], byte[]> rawMigrations;
    private final TestOutputTopic<String, Event> events;
    private final TestOutputTopic<byte[], byte[]> dlq;
    private final TestInputTopic<String, DestinationWrite> writes;
    private final TestInputTopic<byte[], byte[]> rawWrites;
    private final Map<ChunkKey, Long> sequences = new HashMap<>();
    private final List<Event> seen = new ArrayList<>();

    /** With the default processing guarantee, exactly-once. */
    DestinationDriver() throws java.io.IOException {
        this(StreamsConfig.EXACTLY_ONCE_V2);
    }

    DestinationDriver(String processingGuarantee) throws java.io.IOException {
        this(processingGuarantee, Map.of());
    }

    /** With further destination properties (as from its properties file). */
    DestinationDriver(String processingGuarantee, Map<String, String> extra) throws java.io.IOException {
        this(processingGuarantee, extra, org.dbmstream.topology.spec.SpecLookup.NONE);
    }

    /** With a lookup of specs read ahead of their control records. */
    DestinationDriver(org.dbmstream.topology.spec.SpecLookup specLookup) throws java.io.IOException {
        this(StreamsConfig.EXACTLY_ONCE_V2, Map.of(), specLookup);
    }

    private DestinationDriver(String processingGuarantee, Map<String, String> extra,
            org.dbmstream.topology.spec.SpecLookup specLookup) throws java.io.IOException {
        stateDir = Files.createTempDirectory("dbm-ttd");
        DestinationConfig config = DestinationConfig.defaults("ttd:9092", stateDir)
                .withProcessingGuarantee(processingGuarantee).withExtra(extra);
        Topics topics = config.topics();
        Properties props = config.streamsProperties();
        driver = new TopologyTestDriver(DestinationTopology.build(config, specLookup), props);
        Map<String, Object> serde = config.serdeConfig();
        migrations = driver.createInputTopic(topics.migrations(), new StringSerializer(),
                DbmSerdes.migrationSpec(serde).serializer());
        chunks = driver.createInputTopic(topics.chunks(), DbmSerdes.chunkKey(serde).serializer(),
                DbmSerdes.chunkValue(serde).serializer());
        rawChunks = driver.createInputTopic(topics.chunks(), new ByteArraySerializer(), new ByteArraySerializer());
        rawMigrations = driver.createInputTopic(topics.migrations(), new ByteArraySerializer(),
                new ByteArraySerializer());
        events = driver.createOutputTopic(topics.events(), new StringDeserializer(),
                DbmSerdes.event(serde).deserializer());
        dlq = driver.createOutputTopic(topics.dlq(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        writes = driver.createInputTopic(topics.writes(), new StringSerializer(),
                DbmSerdes.destinationWrite(serde).serializer());
        rawWrites = driver.createInputTopic(topics.writes(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Publishes a destination write: {@code length} bytes at {@code offset} of node {@code node}. */
    void write(String target, String node, long offset, long length) {
        write(null, target, node, offset, length);
    }

    /** A destination write made after the switchover of {@code migration} (null: not known). */
    void write(String migration, String target, String node, long offset, long length) {
        writeUnflushed(migration, target, node, offset, length);
        // the updates a write causes are reported at the next flush (one per bitmap per interval): here, at once
        flushUpdates();
    }

    /** A destination write whose updates wait for the next {@link #flushUpdates} (or a barrier). */
    void writeUnflushed(String migration, String target, String node, long offset, long length) {
        writes.pipeInput(target, new DestinationWrite(target, node, offset, length, migration,
                java.time.Instant.EPOCH, null));
    }

    /** Lets the wall clock reach the next report of bitmaps changed by writes. */
    void flushUpdates() {
        driver.advanceWallClockTime(java.time.Duration.ofMillis(DestinationConfig.DEFAULT_UPDATE_INTERVAL_MS));
    }

    /** A write barrier of {@code migration}: each partition answers WritesApplied once the writes before it applied. */
    void barrier(String migration, String target, String barrier) {
        writes.pipeInput(target, new DestinationWrite(target, "", 0L, 0L, migration, java.time.Instant.EPOCH, barrier));
    }

    /** Publishes raw bytes to the writes topic (a poison pill). */
    void rawWrite(byte[] value) {
        rawWrites.pipeInput(new byte[0], value);
    }

    /** The sum of the topology's metric {@code name} over its tasks. */
    double metric(String name) {
        return driver.metrics().entrySet().stream().filter(e -> e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    /** Publishes a migration spec: target, optional mapping, optional known nodes with sizes. */
    void spec(String migration, String target, AliasMap mapping, Map<String, Long> nodes) {
        List<NodeMapping> avroMapping = mapping == null ? null : avro(mapping.mapping());
        List<DestinationNode> avroNodes = nodes == null ? null
                : nodes.entrySet().stream().map(e -> new DestinationNode(e.getKey(), e.getValue())).toList();
        migrations.pipeInput(migration, new MigrationSpec(migration, target, avroMapping, avroNodes,
                java.time.Instant.EPOCH, false));
    }

    /** Publishes a spec with a mapping as given, valid or not (an AliasMap would refuse an invalid one). */
    void specWithMapping(String migration, String target, org.dbmstream.bitmap.mapping.BlockBitmapMapping mapping) {
        migrations.pipeInput(migration, new MigrationSpec(migration, target, avro(mapping), null,
                java.time.Instant.EPOCH, false));
    }

    /** The spec of {@code migration} again, as its source publishes it to cancel the migration. */
    void sourceCancel(String migration, String target, String reason) {
        org.apache.kafka.common.header.internals.RecordHeaders headers =
                new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add(org.dbmstream.topology.processor.SpecBroadcastProcessor.SOURCE_CANCEL_HEADER,
                reason.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        migrations.pipeInput(new org.apache.kafka.streams.test.TestRecord<>(migration,
                new MigrationSpec(migration, target, null, null, java.time.Instant.EPOCH, false), headers,
                (java.time.Instant) null));
    }

    void spec(String migration, String target) {
        spec(migration, target, null, null);
    }

    /** Publishes a spec with a mapping as the migration spec carries it (null: none). */
    void migrations(String migration, String target, List<NodeMapping> mapping) {
        migrations.pipeInput(migration, new MigrationSpec(migration, target, mapping, null, java.time.Instant.EPOCH, false));
    }

    /** A block-bitmap-mapping as the migration spec carries it. */
    static List<NodeMapping> avro(org.dbmstream.bitmap.mapping.BlockBitmapMapping mapping) {
        List<NodeMapping> out = new ArrayList<>();
        for (NodeAlias n : mapping.nodes()) {
            List<BitmapMapping> bitmaps = new ArrayList<>();
            for (BitmapAlias b : n.bitmaps()) {
                BitmapTransform t = b.transform() == null ? null : new BitmapTransform(b.transform().persistent());
                bitmaps.add(new BitmapMapping(b.name(), b.alias(), t));
            }
            out.add(new NodeMapping(n.nodeName(), n.alias(), bitmaps));
        }
        return out;
    }

    /** Publishes one chunk keyed as a source does, with the next sequence number of its key. */
    void chunk(String migration, Chunk chunk) {
        ChunkKey key = ChunkRecords.keyOf(migration, chunk);
        long seq = sequences.merge(key, 1L, Long::sum) - 1;
        chunks.pipeInput(key, ChunkRecords.toAvro(chunk, seq, "test-source"));
    }

    /** Publishes one chunk with the given source id and sequence number (a redelivery, another source). */
    void chunk(String migration, Chunk chunk, String sourceId, long sequence) {
        chunks.pipeInput(ChunkRecords.keyOf(migration, chunk), ChunkRecords.toAvro(chunk, sequence, sourceId));
    }

    void chunks(String migration, List<? extends Chunk> all) {
        all.forEach(c -> chunk(migration, c));
    }

    /** Publishes a spec that asks for re-replication: its bitmaps replace completed ones of the same names. */
    void specReplacing(String migration, String target) {
        migrations.pipeInput(migration, new MigrationSpec(migration, target, null, null, java.time.Instant.EPOCH, true));
    }

    /** The loading stores as the query API reads them. */
    org.dbmstream.topology.store.StoredBitmaps stored() {
        return new org.dbmstream.topology.store.StoredBitmaps(
                driver.<org.apache.kafka.common.utils.Bytes, byte[]>getKeyValueStore(
                        org.dbmstream.topology.store.StoreNames.META),
                driver.<org.apache.kafka.common.utils.Bytes, byte[]>getKeyValueStore(
                        org.dbmstream.topology.store.StoreNames.BITS));
    }

    /** Publishes a control record to every partition (here: the one), as the topology or the query API does. */
    void control(org.dbmstream.topology.record.Control control) {
        driver.createInputTopic(new DestinationConfig("ttd:9092", "x", stateDir, "dbm.", "exactly_once_v2",
                Map.of()).controlTopic(), new StringSerializer(), new org.dbmstream.topology.record.ControlSerde())
                .pipeInput(control.migration(), control);
    }

    /** How many chunks wait for their migration's spec. */
    long parkedChunks() {
        try (var it = driver.<org.apache.kafka.common.utils.Bytes, byte[]>getKeyValueStore(
                org.dbmstream.topology.store.StoreNames.PARKED).all()) {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return n;
        }
    }

    /** Publishes raw bytes to the chunks topic (a poison pill). */
    void raw(byte[] key, byte[] value) {
        rawChunks.pipeInput(key, value);
    }

    /** Publishes raw bytes to the migrations topic (a poison pill). */
    void rawSpec(byte[] key, byte[] value) {
        rawMigrations.pipeInput(key, value);
    }

    /** Moves the destination's wall clock on (what events are stamped with). */
    void advanceClock(java.time.Duration by) {
        driver.advanceWallClockTime(by);
    }

    /** Every event emitted so far, in order. */
    List<Event> events() {
        seen.addAll(events.readValuesToList());
        return List.copyOf(seen);
    }

    List<TestRecord<byte[], byte[]>> deadLetters() {
        return dlq.readRecordsToList();
    }

    @Override
    public void close() throws java.io.IOException {
        driver.close();
        try (var walk = Files.walk(stateDir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
