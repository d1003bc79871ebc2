package org.dbmstream.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.dbmstream.testkit.QemuStorageDaemon;
import org.dbmstream.testkit.QemuTools;
import org.dbmstream.testkit.QmpClient;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.store.StoredBitmaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NBD connector in sync mode (its default with {@code poll.interval.ms}) in a real Connect worker, against a
 * writable qemu-storage-daemon export whose enabled bitmaps record the writes made through it: after each batch
 * of random writes the replica comes to QEMU's own sha256/count of every bitmap, by deltas.
 */
@ExtendWith(KafkaBrokerExtension.class)
class NbdSyncConnectorIT {
    private static final String NODE = QemuStorageDaemon.NODE;
    private static final String TARGET = "vm-connect";
    private static final long DISK = 1L << 30;
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void pollsKeepTheReplicaEqualToQemusBitmaps(KafkaBroker broker) throws Exception {
        assumeTrue(QemuTools.available("qemu-storage-daemon", "qemu-io", "qemu-img"), "QEMU is not installed");
        Topics t = new Topics("itc-sync.");
        Path image = dir.resolve("live.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), String.valueOf(DISK));
        Random random = new Random(7);
        try (DestinationApp dest = Destination.start(broker, t, dir.resolve("state"), 3);
                QemuStorageDaemon qsd = QemuStorageDaemon.start(image, dir)) {
            QmpClient qmp = qsd.qmp();
            qmp.run("block-dirty-bitmap-add", "node", NODE, "name", "b64k", "granularity", 65536);
            qmp.run("block-dirty-bitmap-add", "node", NODE, "name", "b4k", "granularity", 4096);
            qmp.run("block-export-add", "type", "nbd", "id", "e0", "node-name", NODE, "name", NODE, "writable", true,
                    "bitmaps", List.of("b64k", "b4k"));
            write(qsd, random, 3);
            Map<String, String> c = new HashMap<>();
            c.put("connector.class", NbdBitmapSourceConnector.class.getName());
            c.put("tasks.max", "1");
            c.put("nbd.uris", "nbd+unix:///" + NODE + "?socket=" + qsd.nbdSocket()
                    + "&enabled=true&bitmap=b64k&granularity=64K&bitmap=b4k&granularity=4K");
            c.put("poll.interval.ms", "500");
            c.put(SyncMode.BOOTSTRAP, broker.bootstrapServers());
            c.put("topic.prefix", t.prefix());
            c.put("target", TARGET);
            c.put("key.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
            c.put("value.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
            try (ConnectWorker worker = ConnectWorker.start(broker.bootstrapServers(), "itc-sync")) {
                worker.putConnector("nbd-sync", c);
                worker.awaitRunning("nbd-sync", 1, WAIT);
                awaitReplicaIsQemus(qmp, dest, 0);
                for (int step = 1; step <= 8; step++) {
                    write(qsd, random, 1 + random.nextInt(3));
                    awaitReplicaIsQemus(qmp, dest, step);
                }
            }
            assertThat(deltas(broker, t)).as("changed bitmaps went as deltas").isGreaterThanOrEqualTo(8);
        }
    }

    /** Waits until the replica's stored bitmaps are QEMU's, by sha256 and count. */
    private static void awaitReplicaIsQemus(QmpClient qmp, DestinationApp dest, int step) throws Exception {
        Map<String, String> qemu = new TreeMap<>();
        for (String name : List.of("b64k", "b4k")) {
            qemu.put(name, qmp.run("x-debug-block-dirty-bitmap-sha256", "node", NODE, "name", name).get("sha256")
                    .asText() + " " + count(qmp, name));
        }
        Map<String, String> replica = new TreeMap<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!replica.equals(qemu) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            replica.clear();
            try {
                StoredBitmaps stored = StoredBitmaps.of(dest.streams());
                for (String name : qemu.keySet()) {
                    stored.find(TARGET, NODE, name).filter(s -> s.state().sha256() != null).ifPresent(s -> replica.put(
                            name, s.state().sha256() + " " + s.state().count()));
                }
            } catch (org.apache.kafka.streams.errors.InvalidStateStoreException moving) {
                // a rebalance: try again
            }
        }
        assertThat(replica).as("step %d: replica vs QEMU", step).isEqualTo(qemu);
    }

    private static long count(QmpClient qmp, String name) throws Exception {
        for (var n : qmp.run("query-named-block-nodes", "flat", true)) {
            if (n.path("node-name").asText().equals(NODE)) {
                for (var b : n.path("dirty-bitmaps")) {
                    if (b.path("name").asText().equals(name)) {
                        return b.get("count").asLong();
                    }
                }
            }
        }
        throw new AssertionError("no bitmap " + name);
    }

    /** BitmapCompleted events of deltas (with a base) on the events topic. */
    private static long deltas(KafkaBroker broker, Topics t) {
        var events = DbmSerdes.event(Map.of()).deserializer();
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(t.events()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    Event e = events.deserialize(r.topic(), r.value());
                    if (e.getBody() instanceof BitmapCompleted bc && bc.getBase() != null) {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    private static void write(QemuStorageDaemon qsd, Random random, int n) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (int i = 0; i < n; i++) {
            long length = 512L * (1 + random.nextInt(2048));
            cmd.add("-c");
            cmd.add("write " + 512L * random.nextInt((int) ((DISK - length) / 512)) + " " + length);
        }
        cmd.add("nbd+unix:///" + NODE + "?socket=" + qsd.nbdSocket());
        run(cmd.toArray(String[]::new));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.contains("failed"))
                .as(String.join(" ", cmd) + ": " + out).isTrue();
    }
}
