package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.cli.replay.ReplayRun;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublisherSettings;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25 item 4: which of two migrations of one target/node/name claims the name (the other fails with QEMU's
 * "already exists") must follow an order a replay sees identically. Racing pairs, published at once from two
 * threads (each side in the same order), a third of them under source and destination mappings that send the same destination name under
 * other aliases, are decided live; three replays of everything decide every pair the same way.
 */
class ReplayRaceIT {
    private static final String PREFIX = "race.";
    private static final int PAIRS = 12;
    private static final long MIB = 1L << 20;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    @Test
    void replaysDecideEveryRacingPairAsTheLiveDestinationDid() throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker().start();
                DestinationApp live = new DestinationApp(DestinationConfig.defaults(broker.bootstrapServers(),
                        tmp.resolve("live")).withTopicPrefix(PREFIX).withExtra(
                                Map.of(DestinationConfig.TOPIC_PARTITIONS, "3"))).start()) {
            assertThat(live.awaitRunning(WAIT)).isTrue();
            // both sides of every pair are published at once, from two threads, in the same order
            ExecutorService both = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> sides = new ArrayList<>();
                for (String side : List.of("a", "b")) {
                    sides.add(both.submit(() -> {
                        for (int i = 0; i < PAIRS; i++) {
                            publish(broker, request(side + "-" + i, i, side.equals("b") && i % 3 == 0));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : sides) {
                    f.get();
                }
            } finally {
                both.shutdownNow();
            }
            Map<String, Object> finals = finals(broker, 2 * PAIRS);
            Map<String, String> winners = new HashMap<>();
            for (int i = 0; i < PAIRS; i++) {
                Object a = finals.get("a-" + i);
                Object b = finals.get("b-" + i);
                assertThat(a instanceof MigrationCompleted).as("pair %d: exactly one wins", i)
                        .isEqualTo(b instanceof MigrationFailed);
                Object lost = a instanceof MigrationCompleted ? b : a;
                assertThat(((MigrationFailed) lost).getReason()).contains("already exists on destination");
                winners.put("pair-" + i, a instanceof MigrationCompleted ? "a-" + i : "b-" + i);
            }
            for (int r = 1; r <= 3; r++) {
                ReplayRun.Result replay = new ReplayRun(new ReplayRun.Settings(broker.bootstrapServers(),
                        new Topics(PREFIX), null, null, "race-replay-" + r, "race-replay-" + r + ".",
                        tmp.resolve("replay-" + r), Map.of(), WAIT)).run();
                assertThat(replay.rows()).as("replay %d", r).hasSize(PAIRS).allMatch(ReplayRun.Row::equal);
                assertThat(replay.rows()).extracting(ReplayRun.Row::migration)
                        .containsExactlyInAnyOrderElementsOf(winners.values());
            }
        }
    }

    /**
     * Migration {@code id} of pair {@code i}: one bitmap 'b' on node 'disk' of target 'pair-i', whose content
     * tells the two apart; {@code mapped}: sent as node alias 'n-x' / bitmap alias 'm-x', mapped back by the
     * destination mapping.
     */
    private static MigrationRequest request(String id, int i, boolean mapped) {
        DirtyBitmap bits = new DirtyBitmap(256 * MIB, Granularity.of(4096));
        bits.markDirty((id.startsWith("a") ? 1 : 2) * MIB, 4096L * (1 + i));
        MigrationRequest.Builder b = MigrationRequest.builder().migrationId(id).target("pair-" + i)
                .input(new MigrationInput.InMemoryBitmap("disk", "b", bits, false, false));
        if (mapped) {
            b.sourceMapping(AliasMap.fromJson("""
                    [{"node-name": "disk", "alias": "n-x", "bitmaps": [{"name": "b", "alias": "m-x"}]}]"""));
            b.destinationMapping(AliasMap.fromJson("""
                    [{"node-name": "disk", "alias": "n-x", "bitmaps": [{"name": "b", "alias": "m-x"}]}]""").mapping());
        }
        return b.build();
    }

    private static Void publish(EmbeddedKafkaBroker broker, MigrationRequest request) throws Exception {
        try (MigrationPublisher p = new MigrationPublisher(PublisherSettings.builder(broker.bootstrapServers())
                .topics(new Topics(PREFIX)).sourceId(request.migrationId()).build())) {
            p.publish(request, PublishListener.NONE);
        }
        return null;
    }

    /** The final event's body of each of {@code n} migrations, read from the events topic. */
    private static Map<String, Object> finals(EmbeddedKafkaBroker broker, int n) {
        Map<String, Object> out = new HashMap<>();
        var events = DbmSerdes.event(Map.of()).deserializer();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(PREFIX + "events").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    Event e = events.deserialize(r.topic(), r.value());
                    if (e.getBody() instanceof MigrationCompleted || e.getBody() instanceof MigrationFailed) {
                        out.put(e.getMigration(), e.getBody());
                    }
                }
            }
        }
        assertThat(out).as("final events").hasSize(n);
        return out;
    }
}
