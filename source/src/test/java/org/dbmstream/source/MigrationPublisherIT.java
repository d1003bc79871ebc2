package org.dbmstream.source;

import org.dbmstream.testkit.QemuTestData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.dbmstream.testkit.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The publisher against a real in-process Kafka broker; results checked against QEMU's ground truth. */
@ExtendWith(KafkaBrokerExtension.class)
class MigrationPublisherIT {

    private static Topics topics(KafkaBroker broker, String prefix, int chunkPartitions) {
        Topics t = new Topics(prefix);
        broker.createTopics(chunkPartitions, t.chunks());
        broker.createTopic(t.migrations(), 1, Map.of("cleanup.policy", "compact"));
        return t;
    }

    private static PublisherSettings.Builder settings(KafkaBroker broker, Topics t) {
        return PublisherSettings.builder(broker.bootstrapServers()).topics(t).sourceId("it-source");
    }

    /** A bitmap of random bits: {@code bytes} of serialized bitmap at 512 B granularity. */
    private static MigrationInput.InMemoryBitmap randomBitmap(String name, int bytes, long seed) {
        long disk = bytes * 8L * 512;
        DirtyBitmap b = new DirtyBitmap(disk, Granularity.of(512));
        Random r = new Random(seed);
        byte[] raw = new byte[bytes];
        r.nextBytes(raw);
        b.deserialize(0, b.bitCount(), raw);
        return new MigrationInput.InMemoryBitmap("disk0", name, b, true, true);
    }

    @Test
    void img1BitmapsReadBackFromKafkaMatchQemusSha256AndCount(KafkaBroker broker, @TempDir Path dir) throws Exception {
        Topics t = topics(broker, "it-img1.", 3);
        Path img = QemuTestData.image("img1", dir);
        MigrationRequest request = MigrationRequest.builder().migrationId("img1-mig").target("host-b")
                .input(new MigrationInput.Qcow2Image(img)).build();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PublishResult result;
        try (MigrationPublisher p = new MigrationPublisher(settings(broker, t).transactional(true).build())) {
            result = p.publish(request, new LineProgressRenderer(new PrintStream(log, true, StandardCharsets.UTF_8),
                    Duration.ofSeconds(1)));
        }
        assertThat(result.bitmaps()).extracting(PublishedBitmap::bitmapName)
                .containsExactlyInAnyOrder("b64k", "b4k", "b1m", "bdis");
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("migration img1-mig: SETUP")
                .contains("migration img1-mig: published 4 bitmaps in " + result.records() + " records");
        List<ChunkTopic.Read> reads = ChunkTopic.chunks(broker.bootstrapServers(), t.chunks(), "img1-mig");
        assertThat(reads).hasSize((int) result.records() - 1);
        Map<String, DirtyBitmap> rebuilt = ChunkTopic.rebuild(reads, -1);
        for (JsonNode e : QemuTestData.expected("img1.qcow2")) {
            DirtyBitmap b = rebuilt.get("img1/" + e.get("name").asText());
            assertThat(b.sha256()).as(e.get("name").asText()).isEqualTo(e.get("sha256").asText());
            assertThat(b.count()).as(e.get("name").asText()).isEqualTo(e.get("count").asLong());
        }
        // the final EndOfStream (empty aliases) lists every bitmap sent
        Chunk.EndOfStream last = (Chunk.EndOfStream) reads.stream().filter(r -> r.keyText().equals("/"))
                .reduce((a, b) -> b.value().getSequence() > a.value().getSequence() ? b : a).orElseThrow().chunk();
        assertThat(last.manifest()).hasSize(4);
    }

    @Test
    void aQemuStreamRepublishedRebuildsToQemusDestinationState(KafkaBroker broker) throws Exception {
        Topics t = topics(broker, "it-stream.", 3);
        MigrationRequest request = MigrationRequest.builder().migrationId("mig1").target("dst1")
                .input(new MigrationInput.MigrationStreamFile(QemuTestData.dir().resolve("streams/mig1-min.stream"),
                        64L << 20))
                .build();
        PublishResult result;
        try (MigrationPublisher p = new MigrationPublisher(settings(broker, t).build())) {
            result = p.publish(request, PublishListener.NONE);
        }
        assertThat(result.records()).isEqualTo(1 + 21); // the empty iteration's EOS is coalesced
        List<ChunkTopic.Read> reads = ChunkTopic.chunks(broker.bootstrapServers(), t.chunks(), "mig1");
        assertThat(reads).hasSize(21);
        Map<String, DirtyBitmap> rebuilt = ChunkTopic.rebuild(reads, -1);
        List<JsonNode> expected = QemuTestData.jsonl("expected/streams-sha256.jsonl", "stream", "mig1");
        assertThat(expected).hasSize(6);
        for (JsonNode e : expected) {
            DirtyBitmap b = rebuilt.get(e.get("node").asText() + "/" + e.get("name").asText());
            assertThat(b.sha256()).as(e.get("name").asText()).isEqualTo(e.get("sha256").asText());
            assertThat(b.count()).as(e.get("name").asText()).isEqualTo(e.get("count").asLong());
        }
        // the spec is on the compacted migrations topic, keyed by migration id
        var specs = ChunkTopic.readAll(broker.bootstrapServers(), t.migrations(), "read_committed");
        assertThat(specs).hasSize(1);
        assertThat(new String(specs.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("mig1");
        MigrationSpec spec = DbmSerdes.migrationSpec(Map.of()).deserializer().deserialize(t.migrations(),
                specs.get(0).value());
        assertThat(spec.getTarget()).isEqualTo("dst1");
        // acknowledged before the first chunk was sent
        long firstChunk = reads.stream().mapToLong(ChunkTopic.Read::timestamp).min().orElseThrow();
        assertThat(specs.get(0).timestamp()).isLessThanOrEqualTo(firstChunk);
    }

    @Test
    void chunksGoOutInQemusOrderKeyedAndNumberedPerKey(KafkaBroker broker) throws Exception {
        Topics t = topics(broker, "it-order.", 1);
        DirtyBitmap a = new DirtyBitmap(1L << 30, Granularity.of(65536));
        a.markDirty(10L << 20, 1 << 20);
        DirtyBitmap b = new DirtyBitmap(1L << 30, Granularity.of(4096));
        b.markDirty(100L << 20, 4096);
        MigrationRequest request = MigrationRequest.builder().migrationId("order").input(
                        new MigrationInput.InMemoryBitmap("disk0", "a", a, true, true))
                .input(new MigrationInput.InMemoryBitmap("disk0", "b", b, false, true)).build();
        try (MigrationPublisher p = new MigrationPublisher(settings(broker, t).compression("zstd").build())) {
            p.publish(request, PublishListener.NONE);
        }
        List<ChunkTopic.Read> reads = ChunkTopic.chunks(broker.bootstrapServers(), t.chunks(), "order");
        List<Chunk> expected = new ArrayList<>();
        try (MigrationPlan plan = MigrationPlanner.plan(request, 0)) {
            plan.chunks().forEachRemaining(c -> expected.add(c.chunk()));
        }
        assertThat(reads).extracting(ChunkTopic.Read::chunk).containsExactlyElementsOf(expected);
        Map<String, Long> next = new HashMap<>();
        for (ChunkTopic.Read r : reads) {
            assertThat(r.value().getSourceId()).isEqualTo("it-source");
            assertThat(r.value().getSequence()).as("seq of %s", r.keyText()).isEqualTo(next.getOrDefault(r.keyText(), 0L));
            next.put(r.keyText(), r.value().getSequence() + 1);
        }
        // EndOfStream concerns the whole migration: empty aliases
        assertThat(next).containsOnlyKeys("disk0/a", "disk0/b", "/");
        assertThat(next.get("/")).isEqualTo(3);
    }

    @Test
    void withTransactionsAMigrationsChunksBecomeVisibleAllAtOnce(KafkaBroker broker) throws Exception {
        Topics t = topics(broker, "it-tx.", 3);
        MigrationRequest request = MigrationRequest.builder().migrationId("tx")
                .input(randomBitmap("r1", 256 * 1024, 1)).build();
        AtomicBoolean publishing = new AtomicBoolean(true);
        AtomicInteger committedSeenWhilePublishing = new AtomicInteger();
        AtomicInteger uncommittedSeenWhilePublishing = new AtomicInteger();
        CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
            while (publishing.get()) {
                int committed = ChunkTopic.readAll(broker.bootstrapServers(), t.chunks(), "read_committed").size();
                int uncommitted = ChunkTopic.readAll(broker.bootstrapServers(), t.chunks(), "read_uncommitted").size();
                if (publishing.get()) {
                    committedSeenWhilePublishing.accumulateAndGet(committed, Math::max);
                    uncommittedSeenWhilePublishing.accumulateAndGet(uncommitted, Math::max);
                }
            }
        });
        PublishResult result;
        try (MigrationPublisher p = new MigrationPublisher(settings(broker, t).transactional(true)
                .rateLimit(128 * 1024).build())) {
            result = p.publish(request, PublishListener.NONE);
        } finally {
            publishing.set(false);
        }
        watcher.get(60, TimeUnit.SECONDS);
        assertThat(uncommittedSeenWhilePublishing.get()).as("chunks in the log while publishing").isPositive();
        assertThat(committedSeenWhilePublishing.get()).as("chunks visible to read_committed while publishing").isZero();
        List<ChunkTopic.Read> reads = ChunkTopic.chunks(broker.bootstrapServers(), t.chunks(), "tx");
        assertThat(reads).hasSize((int) result.records() - 1);
        DirtyBitmap expected = (DirtyBitmap) ((MigrationInput.InMemoryBitmap) request.inputs().get(0)).bits();
        assertThat(ChunkTopic.rebuild(reads, -1).get("disk0/r1").sha256()).isEqualTo(expected.sha256());
    }

    @Test
    void theRateLimitIsHonoured(KafkaBroker broker) throws Exception {
        Topics t = topics(broker, "it-rate.", 3);
        long rate = 256 * 1024;
        MigrationRequest request = MigrationRequest.builder().migrationId("rate")
                .input(randomBitmap("r1", 256 * 1024, 2)).build();
        List<PublishProgress> progress = new ArrayList<>();
        PublishListener listener = new PublishListener() {
            @Override
            public void progressed(PublishProgress p) {
                progress.add(p);
            }
        };
        PublishResult result;
        try (MigrationPublisher p = new MigrationPublisher(settings(broker, t).rateLimit(rate).build())) {
            result = p.publish(request, listener);
        }
        // at most one 100 ms slice of bytes goes out ahead of the limit: a lower bound on the time taken
        double minSeconds = (result.bytes() - rate / 10.0) / rate;
        assertThat(result.bytes()).isGreaterThan(256 * 1024);
        assertThat(result.elapsedNanos() / 1e9).isGreaterThanOrEqualTo(minSeconds);
        // progress: QEMU's pending estimate falls from every bit to none
        assertThat(progress.get(0).pendingBits()).isEqualTo(256 * 1024 * 8);
        assertThat(progress.get(progress.size() - 1).pendingBits()).isZero();
        assertThat(progress).extracting(PublishProgress::phase).contains(PublishPhase.SETUP, PublishPhase.BULK,
                PublishPhase.COMPLETION);
    }

    @Test
    void aFailureMidwayAbortsTheTransactionAndThePublisherGoesOn(KafkaBroker broker) throws Exception {
        Topics t = topics(broker, "it-abort.", 3);
        PublishListener failing = new PublishListener() {
            @Override
            public void progressed(PublishProgress p) {
                if (p.records() == 20) {
                    throw new IllegalStateException("operator pressed ^C");
                }
            }
        };
        try (CapturedLogs logs = CapturedLogs.of(MigrationPublisher.class);
                MigrationPublisher p = new MigrationPublisher(settings(broker, t).transactional(true).build())) {
            assertThatThrownBy(() -> p.publish(MigrationRequest.builder().migrationId("aborted")
                    .input(randomBitmap("r1", 64 * 1024, 3)).build(), failing))
                    .hasMessage("operator pressed ^C");
            PublishResult ok = p.publish(MigrationRequest.builder().migrationId("after")
                    .input(randomBitmap("r1", 8 * 1024, 4)).build(), PublishListener.NONE);
            assertThat(ChunkTopic.chunks(broker.bootstrapServers(), t.chunks(), "after")).hasSize((int) ok.records() - 1);
            assertThat(logs.warnings()).contains("aborted the transaction of migration aborted: none of its chunks "
                    + "became visible");
        }
        assertThat(ChunkTopic.chunks(broker.bootstrapServers(), t.chunks(), "aborted")).isEmpty();
    }

    /** A failure the publisher survives, after chunks went out: it publishes a cancel of its own migration. */
    @Test
    void aReadErrorHalfWayPublishesACancelOfTheMigration(KafkaBroker broker) throws Exception {
        Topics t = topics(broker, "it-cancel.", 3);
        DirtyBitmap good = new DirtyBitmap(64L << 20, Granularity.of(512));
        good.markDirty(0, 1 << 20);
        org.dbmstream.bitmap.SerializedBitmap breaking = new org.dbmstream.bitmap.SerializedBitmap() {
            private int reads;

            @Override
            public long diskSize() {
                return good.diskSize();
            }

            @Override
            public Granularity granularity() {
                return good.granularity();
            }

            @Override
            public void serializeInto(long firstBit, long bits, byte[] dst, int offset) {
                if (++reads > 3) {
                    throw new java.io.UncheckedIOException(new java.io.IOException("bitmap table cluster 7 unreadable"));
                }
                good.serializeInto(firstBit, bits, dst, offset);
            }
        };
        try (CapturedLogs logs = CapturedLogs.of(MigrationPublisher.class);
                MigrationPublisher p = new MigrationPublisher(settings(broker, t).build())) {
            assertThatThrownBy(() -> p.publish(MigrationRequest.builder().migrationId("half")
                    .input(new MigrationInput.InMemoryBitmap("disk0", "b0", breaking, true, true)).build(),
                    PublishListener.NONE)).hasMessageContaining("bitmap table cluster 7 unreadable");
            assertThat(logs.warnings()).singleElement().asString().startsWith("published a cancel of migration half: ")
                    .contains("bitmap table cluster 7 unreadable");
        }
        List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> specs =
                ChunkTopic.readAll(broker.bootstrapServers(), t.migrations(), "read_committed");
        assertThat(specs).hasSize(2);
        assertThat(specs.get(0).headers().lastHeader(org.dbmstream.serdes.SpecHeaders.CANCEL)).isNull();
        var cancel = specs.get(1).headers().lastHeader(org.dbmstream.serdes.SpecHeaders.CANCEL);
        assertThat(new String(cancel.value(), java.nio.charset.StandardCharsets.UTF_8))
                .startsWith("source cancelled migration 'half': ").contains("bitmap table cluster 7 unreadable");
        assertThat(specs.get(1).key()).isEqualTo("half".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(ChunkTopic.chunks(broker.bootstrapServers(), t.chunks(), "half")).isNotEmpty();
    }
}
