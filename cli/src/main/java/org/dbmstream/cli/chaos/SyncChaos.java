package org.dbmstream.cli.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.sync.BitmapOutcome;
import org.dbmstream.source.sync.RoundResult;
import org.dbmstream.source.sync.SyncException;
import org.dbmstream.source.sync.SyncSession;

/**
 * {@code dbm chaos --sync}: rounds of {@code dbm sync} on several targets while destinations are killed and the
 * broker restarts (DESIGN.md section 12). Each target's bitmaps change a little every round (a bitmap added or
 * dropped now and then), so most rounds are deltas. Judged: every bitmap a round reports confirmed must have
 * the generator's sha256/count ({@code mismatched}); a round that never settles is {@code lost} (the next one
 * catches up); an event emitted twice for one bitmap of a round's migration is {@code duplicated}; a round's
 * migration that did not complete, or a replica that ends other than its source, is a {@code wrong_outcome}.
 */
final class SyncChaos {
    private static final long MIB = 1L << 20;

    private final String bootstrap;
    private final Topics topics;
    private final int targets;
    private final int rounds;
    private final Duration timeout;
    private final Random random;
    /** Per target: its source bitmaps now, by name. */
    private final List<Map<String, DirtyBitmap>> sources = new ArrayList<>();
    private final List<String> migrations = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger deltas = new AtomicInteger();
    private final AtomicInteger fallbacks = new AtomicInteger();
    private final ChaosTally.Counts counts = new ChaosTally.Counts();

    SyncChaos(String bootstrap, Topics topics, long seed, int targets, int rounds, Duration timeout) {
        this.bootstrap = bootstrap;
        this.topics = topics;
        this.targets = targets;
        this.rounds = rounds;
        this.timeout = timeout;
        this.random = new Random(seed);
        for (int t = 0; t < targets; t++) {
            Map<String, DirtyBitmap> bitmaps = new LinkedHashMap<>();
            bitmaps.put("b64k", bitmap(1024 * MIB, 65536));
            bitmaps.put("b4k", bitmap(1024 * MIB, 4096));
            sources.add(bitmaps);
        }
    }

    /**
     * Runs the rounds of the targets {@code first}, {@code first + step}, ... on this thread, round {@code r}
     * once {@code kills} reached its share of {@code totalKills} (so crashes hit rounds all along); counts
     * each round's migrations in {@code published}.
     */
    Void run(int first, int step, AtomicInteger kills, int totalKills, AtomicInteger published)
            throws InterruptedException {
        List<SyncSession> sessions = new ArrayList<>();
        try {
            for (int t = first; t < targets; t += step) {
                sessions.add(SyncSession.open(new SyncSession.Settings(bootstrap, topics, Map.of(), target(t),
                        "chaos-sync-" + t, timeout, true, 0)));
            }
            for (int r = 1; r <= rounds; r++) {
                long due = (long) (r - 1) * totalKills / rounds;
                while (kills.get() < due) {
                    Thread.sleep(100);
                }
                int before = migrations.size();
                int s = 0;
                for (int t = first; t < targets; t += step) {
                    round(sessions.get(s++), t, r);
                }
                published.addAndGet(migrations.size() - before);
            }
        } finally {
            sessions.forEach(SyncSession::close);
        }
        return null;
    }

    private void round(SyncSession session, int t, int r) throws InterruptedException {
        Map<String, DirtyBitmap> bitmaps = sources.get(t);
        synchronized (random) {
            change(bitmaps, r);
        }
        MigrationRequest.Builder b = MigrationRequest.builder().target(target(t));
        bitmaps.forEach((name, bits) -> b.input(new MigrationInput.InMemoryBitmap("vda", name, bits, true, false)));
        RoundResult result;
        try {
            result = session.round(b.build());
        } catch (SyncException e) {
            counts.lost++;
            counts.notes.add(target(t) + " round " + r + " never settled: " + e.getMessage());
            return;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        migrations.addAll(result.migrations());
        deltas.addAndGet((int) result.count(BitmapOutcome.Result.DELTA));
        for (BitmapOutcome o : result.bitmaps()) {
            DirtyBitmap expected = bitmaps.get(o.id().bitmap());
            if (o.result() == BitmapOutcome.Result.FAILED) {
                counts.lost++;
                counts.notes.add(target(t) + " round " + r + " " + o.id() + ": " + o.detail());
            } else if (o.result() == BitmapOutcome.Result.REMOVED) {
                if (expected != null) {
                    counts.wrongOutcome++;
                    counts.notes.add(target(t) + " round " + r + " removed " + o.id() + ", which the source has");
                }
            } else if (expected == null || !expected.sha256().equals(o.sha256()) || expected.count() != o.count()) {
                counts.mismatched++;
                counts.notes.add(target(t) + " round " + r + " " + o.id() + ": replica " + o.sha256() + " vs source "
                        + (expected == null ? "(none)" : expected.sha256()));
            }
            if (o.result() == BitmapOutcome.Result.FULL && o.detail() != null && o.detail().startsWith("delta refused")) {
                fallbacks.incrementAndGet();
            }
        }
    }

    /** A few writes on every bitmap; every 7th round a bitmap comes, every 11th one goes. */
    private void change(Map<String, DirtyBitmap> bitmaps, int r) {
        for (DirtyBitmap bits : bitmaps.values()) {
            for (int w = random.nextInt(4); w > 0; w--) {
                long length = 4096L * (1 + random.nextInt(64));
                bits.markDirty(4096L * random.nextInt((int) ((bits.diskSize() - length) / 4096)), length);
            }
        }
        if (r % 7 == 0) {
            bitmaps.put("extra-" + r, bitmap(512 * MIB, 65536L << random.nextInt(3)));
        }
        if (r % 11 == 0 && bitmaps.size() > 1) {
            bitmaps.remove(bitmaps.keySet().iterator().next());
        }
    }

    private DirtyBitmap bitmap(long size, long g) {
        DirtyBitmap b = new DirtyBitmap(size, Granularity.of(g));
        for (int i = 0; i < 8; i++) {
            b.markDirty(g * random.nextInt((int) (size / g)), g);
        }
        return b;
    }

    private static String target(int t) {
        return "sync-vm-" + t;
    }

    /** Judges what the rounds' migrations emitted, reading the events topic to its end. */
    ChaosTally.Counts judge() {
        Map<String, List<Event>> byMigration = new HashMap<>();
        var events = DbmSerdes.event(Map.of()).deserializer();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topics.events(), Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (r.value() != null) {
                        Event e = events.deserialize(r.topic(), r.value());
                        byMigration.computeIfAbsent(e.getMigration(), k -> new ArrayList<>()).add(e);
                    }
                });
            }
        }
        for (String m : List.copyOf(migrations)) {
            List<Event> mine = byMigration.getOrDefault(m, List.of());
            Map<String, Long> same = mine.stream().collect(Collectors.groupingBy(e -> e.getBody().getClass()
                    .getSimpleName() + "/" + e.getNode() + "/" + e.getBitmap(), Collectors.counting()));
            counts.duplicated += same.values().stream().mapToLong(n -> n - 1).sum();
            if (mine.stream().noneMatch(e -> e.getBody() instanceof MigrationCompleted)) {
                counts.wrongOutcome++;
                counts.notes.add(m + " has no MigrationCompleted");
            }
        }
        return counts;
    }

    /** What the JSON line adds in sync mode. */
    Map<String, Object> figures() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sync_targets", targets);
        m.put("sync_rounds", rounds);
        m.put("sync_migrations", migrations.size());
        m.put("sync_deltas", deltas.get());
        m.put("sync_fallbacks", fallbacks.get());
        return m;
    }
}
