package org.dbmstream.connectors;

import org.dbmstream.testkit.QemuTestData;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.source.MigrationOutcome;
import org.dbmstream.source.MigrationWatcher;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationPlan;
import org.dbmstream.source.MigrationPlanner;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.testkit.CapturedLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector in a real Kafka Connect worker (distributed, exactly-once source support) in this JVM,
 * against the in-process broker: what it publishes decodes to QEMU's sha256, and a worker stopped in the
 * middle of an image and started again neither repeats nor skips a chunk, and the real destination
 * topology completes every bitmap once with QEMU's sha256.
 */
@ExtendWith(KafkaBrokerExtension.class)
class Qcow2BitmapSourceConnectorIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    static Topics topics(KafkaBroker broker, String prefix) {
        Topics t = new Topics(prefix);
        broker.createTopics(3, t.chunks());
        broker.createTopic(t.migrations(), 1, Map.of("cleanup.policy", "compact"));
        return t;
    }

    private static Map<String, String> connectorConfig(Path images, Topics t) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", Qcow2BitmapSourceConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("images", images.toString());
        c.put("topic.prefix", t.prefix());
        c.put("target", "it-host");
        c.put("key.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
        c.put("value.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
        c.put("exactly.once.support", "required");
        return c;
    }

    /** Number of chunk records the migration of {@code image} has. */
    private static long chunkCount(Path image, String migrationId) throws Exception {
        return chunkCount(image, migrationId, ChunkSize.KAFKA_DEFAULT);
    }

    private static long chunkCount(Path image, String migrationId, ChunkSize width) throws Exception {
        try (MigrationPlan plan = MigrationPlanner.plan(MigrationRequest.builder().migrationId(migrationId)
                .chunkSize(width).input(new MigrationInput.Qcow2Image(image)).build())) {
            return plan.chunks().size();
        }
    }

    /** Reads the chunks topic until {@code done}; fails at once if the worker's task failed. */
    static Map<String, List<ChunkLog.Read>> awaitLog(KafkaBroker broker, Topics t, ConnectWorker worker,
            String connector, Predicate<Map<String, List<ChunkLog.Read>>> done) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Map<String, List<ChunkLog.Read>> log = Map.of();
        while (System.nanoTime() < deadline) {
            var status = worker.status(connector);
            if (status != null && status.tasks().stream().anyMatch(task -> "FAILED".equals(task.state()))) {
                throw new AssertionError("task failed: " + status.tasks().get(0).trace());
            }
            log = ChunkLog.read(broker.bootstrapServers(), t.chunks());
            if (done.test(log)) {
                return log;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("chunks topic did not get there in " + TIMEOUT + ": " + sizes(log));
    }

    private static Map<String, Integer> sizes(Map<String, List<ChunkLog.Read>> log) {
        Map<String, Integer> m = new HashMap<>();
        log.forEach((k, v) -> m.put(k, v.size()));
        return m;
    }

    /** Every key's sequence numbers are 0, 1, 2... in log order: nothing repeated, nothing missing. */
    static void assertContiguous(List<ChunkLog.Read> reads) {
        Map<String, Long> next = new HashMap<>();
        for (ChunkLog.Read r : reads) {
            assertThat(r.value().getSequence()).as("seq of %s", r.keyText()).isEqualTo(next.getOrDefault(r.keyText(), 0L));
            next.put(r.keyText(), r.value().getSequence() + 1);
        }
    }

    private static void assertMatchesQemu(List<ChunkLog.Read> reads, String node, String image) {
        Map<String, DirtyBitmap> rebuilt = ChunkLog.rebuild(reads);
        List<JsonNode> expected = QemuTestData.expected(image);
        assertThat(rebuilt).hasSize(expected.size());
        for (JsonNode e : expected) {
            DirtyBitmap b = rebuilt.get(node + "/" + e.get("name").asText());
            assertThat(b.sha256()).as(image + " " + e.get("name").asText()).isEqualTo(e.get("sha256").asText());
            assertThat(b.count()).as(image + " " + e.get("name").asText()).isEqualTo(e.get("count").asLong());
        }
    }

    @Test
    void publishesEveryImageOfADirectoryAsAMigrationMatchingQemu(KafkaBroker broker) throws Exception {
        Topics t = topics(broker, "itc-all.");
        Path images = Files.createDirectory(dir.resolve("images"));
        Path img1 = QemuTestData.image("img1", images);
        Path before = QemuTestData.image("mig-before", images);
        String id1 = ImageMigration.migrationId(new Qcow2BitmapSourceConnectorConfig(connectorConfig(images, t)), img1);
        String id2 = ImageMigration.migrationId(new Qcow2BitmapSourceConnectorConfig(connectorConfig(images, t)), before);
        long n1 = chunkCount(img1, id1);
        long n2 = chunkCount(before, id2);
        try (ConnectWorker worker = ConnectWorker.start(broker.bootstrapServers(), "itc-all")) {
            worker.putConnector("qcow2-all", connectorConfig(images, t));
            worker.awaitRunning("qcow2-all", 1, TIMEOUT);
            var log = awaitLog(broker, t, worker, "qcow2-all", l -> l.getOrDefault(id1, List.of()).size() == n1
                    && l.getOrDefault(id2, List.of()).size() == n2);
            assertContiguous(log.get(id1));
            assertContiguous(log.get(id2));
            assertMatchesQemu(log.get(id1), "img1", "img1.qcow2");
            assertMatchesQemu(log.get(id2), "mig-before", "mig-before.qcow2");
            assertThat(log.get(id1).get(0).value().getSourceId()).isEqualTo("connect:qcow2-all");
        }
    }

    @Test
    void aWorkerStoppedMidImageResumesWithoutDuplicatingOrSkippingAChunk(KafkaBroker broker) throws Exception {
        Topics t = new Topics("itc-restart.");
        DestinationApp destination = Destination.start(broker, t, dir.resolve("state"), 3);
        Path images = Files.createDirectory(dir.resolve("images"));
        Path img1 = QemuTestData.image("img1", images);
        Map<String, String> config = connectorConfig(images, t);
        // slow enough to stop it in the middle: a few records per transaction, ~3 KB/s (img1's ~8.5 KB take
        // about 3 s, room for a loaded machine to see the first records and stop the worker)
        config.put("batch.max.records", "3");
        config.put("rate.limit.bytes.per.second", "3000");
        // QEMU's 1 KiB chunks: img1 is then ~60 records, enough to stop it in the middle (18 at the 8K default)
        config.put("chunk.size", "1K");
        String id = ImageMigration.migrationId(new Qcow2BitmapSourceConnectorConfig(config), img1);
        long total = chunkCount(img1, id, ChunkSize.QEMU);
        long beforeStop;
        try (ConnectWorker first = ConnectWorker.start(broker.bootstrapServers(), "itc-restart")) {
            first.putConnector("qcow2-restart", config);
            first.awaitRunning("qcow2-restart", 1, TIMEOUT);
            awaitLog(broker, t, first, "qcow2-restart", l -> l.getOrDefault(id, List.of()).size() >= 9);
        }
        beforeStop = ChunkLog.read(broker.bootstrapServers(), t.chunks()).get(id).size();
        assertThat(beforeStop).as("stopped in the middle of the image").isLessThan(total);

        try (ConnectWorker second = ConnectWorker.start(broker.bootstrapServers(), "itc-restart")) {
            second.awaitRunning("qcow2-restart", 1, TIMEOUT);
            var log = awaitLog(broker, t, second, "qcow2-restart",
                    l -> l.getOrDefault(id, List.of()).size() >= total);
            // let the task run on a little: nothing more may come for a published image
            Thread.sleep(1500);
            log = ChunkLog.read(broker.bootstrapServers(), t.chunks());
            assertThat(log.get(id)).hasSize((int) total);
            assertContiguous(log.get(id));
            assertMatchesQemu(log.get(id), "img1", "img1.qcow2");

            // the destination completed every bitmap once, with QEMU's sha256, each BITS chunk applied once
            MigrationOutcome outcome;
            try (MigrationWatcher watcher = new MigrationWatcher(broker.bootstrapServers(), t, id)) {
                outcome = watcher.await(TIMEOUT, e -> { });
            }
            assertThat(outcome.status()).as(outcome.reason()).isEqualTo(MigrationOutcome.Status.COMPLETED);
            List<Event> completed = outcome.events().stream().filter(e -> e.getBody() instanceof BitmapCompleted)
                    .toList();
            assertThat(completed).extracting(Event::getBitmap).containsExactlyInAnyOrder("b64k", "b4k", "b1m", "bdis");
            for (JsonNode q : QemuTestData.expected("img1.qcow2")) {
                Event e = completed.stream().filter(c -> c.getBitmap().equals(q.get("name").asText())).findFirst()
                        .orElseThrow();
                BitmapCompleted c = (BitmapCompleted) e.getBody();
                assertThat(c.getSha256()).as(e.getBitmap()).isEqualTo(q.get("sha256").asText());
                assertThat(c.getCount()).as(e.getBitmap()).isEqualTo(q.get("count").asLong());
                long bitsChunks = log.get(id).stream().filter(r -> r.chunk() instanceof Chunk.Bits
                        && r.key().getBitmapAlias().equals(e.getBitmap())).count();
                assertThat(c.getChunks()).as("BITS chunks applied to %s", e.getBitmap()).isEqualTo(bitsChunks);
            }
        } finally {
            destination.close();
        }
    }

    @Test
    void badConfigsAreRefusedAndAnInconsistentImageFailsTheTaskWithQemusMessage(KafkaBroker broker) throws Exception {
        Topics t = topics(broker, "itc-bad.");
        Path images = Files.createDirectory(dir.resolve("images"));
        QemuTestData.image("img-broken", images);
        Map<String, String> config = connectorConfig(images, t);
        // the task fails on purpose: Connect's own ERROR and stack trace stay out of the build log
        try (CapturedLogs logs = CapturedLogs.of("org.apache.kafka.connect.runtime.WorkerTask");
                ConnectWorker worker = ConnectWorker.start(broker.bootstrapServers(), "itc-bad")) {
            Map<String, String> bad = new HashMap<>(config);
            bad.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            bad.put("rate.limit.bytes.per.second", "-1");
            var infos = worker.validate("qcow2-bad", bad);
            assertThat(infos.errorCount()).isEqualTo(2);
            var messages = infos.configs().stream().flatMap(c -> c.configValue().errors().stream()).toList();
            assertThat(messages).anyMatch(m -> m.contains("must be org.apache.kafka.connect.converters.ByteArrayConverter"))
                    .anyMatch(m -> m.contains("Value must be at least 0"));

            worker.putConnector("qcow2-broken", config);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            String trace = null;
            while (trace == null && System.nanoTime() < deadline) {
                var status = worker.status("qcow2-broken");
                if (status != null && !status.tasks().isEmpty() && "FAILED".equals(status.tasks().get(0).state())) {
                    trace = status.tasks().get(0).trace();
                }
                Thread.sleep(200);
            }
            assertThat(trace).isNotNull().containsPattern("Bitmap '(b64k|b4k|b1m|bdis)' is inconsistent and cannot be used");
        }
        assertThat(ChunkLog.read(broker.bootstrapServers(), t.chunks())).isEmpty();
    }

    @Test
    void withConnectorTransactionBoundariesAnImagesMigrationBecomesVisibleAtOnce(KafkaBroker broker) throws Exception {
        Topics t = topics(broker, "itc-tx.");
        Path images = Files.createDirectory(dir.resolve("images"));
        Path img1 = QemuTestData.image("img1", images);
        String id = ImageMigration.migrationId(new Qcow2BitmapSourceConnectorConfig(connectorConfig(images, t)), img1);
        long total = chunkCount(img1, id);
        Map<String, String> config = connectorConfig(images, t);
        config.put("transaction.boundary", "connector");
        config.put("batch.max.records", "3");
        config.put("rate.limit.bytes.per.second", "3000");
        List<Integer> committed = new java.util.ArrayList<>();
        List<Integer> uncommitted = new java.util.ArrayList<>();
        try (ConnectWorker worker = ConnectWorker.start(broker.bootstrapServers(), "itc-tx")) {
            worker.putConnector("qcow2-tx", config);
            worker.awaitRunning("qcow2-tx", 1, TIMEOUT);
            awaitLog(broker, t, worker, "qcow2-tx", l -> {
                int n = l.getOrDefault(id, List.of()).size();
                committed.add(n);
                uncommitted.add(ChunkLog.read(broker.bootstrapServers(), t.chunks(), "read_uncommitted")
                        .getOrDefault(id, List.of()).size());
                return n > 0;
            });
        }
        // while the image's chunks were already in the log, read_committed readers saw none; then all
        assertThat(committed).containsOnly(0, (int) total);
        assertThat(committed.get(committed.size() - 1)).isEqualTo((int) total);
        boolean inFlightSeen = false;
        for (int i = 0; i < committed.size(); i++) {
            inFlightSeen |= committed.get(i) == 0 && uncommitted.get(i) > 0;
        }
        assertThat(inFlightSeen).as("a moment with chunks written but not yet committed: %s / %s", committed,
                uncommitted).isTrue();
    }

    @Test
    void withRescansNewAndChangedImagesArePublishedAsNewMigrations(KafkaBroker broker) throws Exception {
        Topics t = topics(broker, "itc-rescan.");
        Path images = Files.createDirectory(dir.resolve("images"));
        Path img1 = QemuTestData.image("img1", images);
        String first = ImageMigration.migrationId(new Qcow2BitmapSourceConnectorConfig(connectorConfig(images, t)), img1);
        long n1 = chunkCount(img1, first);
        Map<String, String> config = connectorConfig(images, t);
        config.put("images.rescan.interval.ms", "300");
        config.put("publish.mode", "migrate");
        try (ConnectWorker worker = ConnectWorker.start(broker.bootstrapServers(), "itc-rescan")) {
            worker.putConnector("qcow2-rescan", config);
            worker.awaitRunning("qcow2-rescan", 1, TIMEOUT);
            awaitLog(broker, t, worker, "qcow2-rescan", l -> l.getOrDefault(first, List.of()).size() == n1);

            // a new image appears in the directory
            Path staging = Files.createDirectory(dir.resolve("staging"));
            Path before = Files.move(QemuTestData.image("mig-before", staging), images.resolve("mig-before.qcow2"));
            String second = ImageMigration.migrationId(new Qcow2BitmapSourceConnectorConfig(connectorConfig(images, t)), before);
            long n2 = chunkCount(before, second);
            awaitLog(broker, t, worker, "qcow2-rescan", l -> l.getOrDefault(second, List.of()).size() == n2);

            // img1 changes (here: its modification time): a new migration of it
            Files.setLastModifiedTime(img1, java.nio.file.attribute.FileTime.fromMillis(
                    Files.getLastModifiedTime(img1).toMillis() + 60_000));
            String third = ImageMigration.migrationId(new Qcow2BitmapSourceConnectorConfig(connectorConfig(images, t)), img1);
            assertThat(third).isNotEqualTo(first);
            var log = awaitLog(broker, t, worker, "qcow2-rescan",
                    l -> l.getOrDefault(third, List.of()).size() == n1);
            Thread.sleep(1000);
            log = ChunkLog.read(broker.bootstrapServers(), t.chunks());
            assertThat(log).containsOnlyKeys(first, second, third);
            assertThat(log.get(first)).hasSize((int) n1);
            assertThat(log.get(second)).hasSize((int) n2);
            assertThat(log.get(third)).hasSize((int) n1);
            assertContiguous(log.get(third));
            assertMatchesQemu(log.get(second), "mig-before", "mig-before.qcow2");
            assertMatchesQemu(log.get(third), "img1", "img1.qcow2");
        }
    }
}
