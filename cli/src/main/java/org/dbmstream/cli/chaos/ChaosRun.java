package org.dbmstream.cli.chaos;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.dbmstream.broker.StandaloneKafkaBroker;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.PublishException;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublisherSettings;
import org.dbmstream.topology.DestinationConfig;

/**
 * A chaos run: a standalone broker process, destination instances in child JVMs, migrations published
 * by two threads of this JVM while destinations are SIGKILLed and restarted at random moments, the broker
 * restarted once, and one publishing process killed mid-migration and its migration retried with the same
 * id. Then every migration's events are judged ({@link ChaosTally}).
 */
final class ChaosRun {
    private static final String PREFIX = "chaos.";

    /** What to run. */
    record Settings(int migrations, int kills, int destinations, int partitions, long seed, Duration timeout, Path dir,
            SyncRounds sync) {
        Settings(int migrations, int kills, int destinations, int partitions, long seed, Duration timeout, Path dir) {
            this(migrations, kills, destinations, partitions, seed, timeout, dir, null);
        }
    }

    /** {@code --sync}: rounds of dbm sync on {@code targets} targets instead of migrations. */
    record SyncRounds(int targets, int rounds) {
    }

    /** The run's figures; {@link ChaosTally.Counts#clean()} says whether it passed. */
    record Result(int migrations, int bitmaps, int kills, int brokerRestarts, int publisherKills, int publishRetries,
            int destinationErrors, long unfinished, ChaosTally.Counts counts, String syncFigures) {
        Result(int migrations, int bitmaps, int kills, int brokerRestarts, int publisherKills, int publishRetries,
                int destinationErrors, long unfinished, ChaosTally.Counts counts) {
            this(migrations, bitmaps, kills, brokerRestarts, publisherKills, publishRetries, destinationErrors,
                    unfinished, counts, null);
        }
    }

    /** How often the wait for the final events says how far it is. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final Settings settings;
    private final PrintWriter log;
    private final Random random;
    private final List<DestinationProcess> destinations = new ArrayList<>();
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger publishRetries = new AtomicInteger();
    private final AtomicInteger kills = new AtomicInteger();
    private int brokerRestarts;
    private int publisherKills;
    private int destinationErrors;

    ChaosRun(Settings settings, PrintWriter log) {
        this.settings = settings;
        this.log = log;
        this.random = new Random(settings.seed());
    }

    Result run() throws Exception {
        Path dir = settings.dir();
        Files.createDirectories(dir.resolve("bitmaps"));
        ChaosPlan planner = new ChaosPlan(settings.seed(), dir.resolve("bitmaps"));
        List<PlannedMigration> plan = new ArrayList<>(planner.migrations(settings.migrations()));
        PlannedMigration large = planner.large("chaos-killed-publisher");
        plan.add(large);
        int bitmaps = plan.stream().mapToInt(m -> m.bitmaps().size()).sum();
        progress("planned %d migrations with %d bitmaps (%d cancelled on purpose) in %s", plan.size(), bitmaps,
                plan.stream().filter(m -> m.expected() == PlannedMigration.Outcome.CANCELLED).count(), dir);

        try (StandaloneKafkaBroker broker = new StandaloneKafkaBroker(dir.resolve("broker"), Map.of()).start()) {
            String bootstrap = broker.bootstrapServers();
            progress("broker process on %s", bootstrap);
            Path config = destinationConfig(dir);
            for (int i = 0; i < settings.destinations(); i++) {
                DestinationProcess d = new DestinationProcess(i, dir.resolve("destination-" + i), bootstrap, PREFIX,
                        config);
                d.start();
                destinations.add(d);
            }
            progress("%d destination instances running", destinations.size());
            if (settings.sync() != null) {
                return syncRounds(broker);
            }
            ExecutorService publishers = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> work = new ArrayList<>();
                List<PlannedMigration> regular = plan.subList(0, plan.size() - 1);
                for (int t = 0; t < 2; t++) {
                    int first = t;
                    work.add(publishers.submit(() -> publish(bootstrap, regular, first, 2)));
                }
                Future<?> killedPublisher = publishers.submit(() -> killPublisherMidway(bootstrap, large, dir));
                chaos(broker, work);
                for (Future<?> f : work) {
                    f.get();
                }
                killedPublisher.get();
            } finally {
                publishers.shutdownNow();
            }
            progress("all published; %d kills, broker restarted %d time(s); waiting for every final event",
                    kills.get(), brokerRestarts);
            ChaosTally tally = new ChaosTally();
            try (EventReader reader = new EventReader(bootstrap, new Topics(PREFIX))) {
                long start = System.nanoTime();
                long deadline = start + settings.timeout().toNanos();
                long nextReport = start + PROGRESS_EVERY.toNanos();
                while (tally.unfinished(plan) > 0 && System.nanoTime() < deadline) {
                    reader.poll(tally);
                    healBroken();
                    if (System.nanoTime() >= nextReport) {
                        nextReport += PROGRESS_EVERY.toNanos();
                        progress("%d of %d migrations have their final event (%d s of --timeout %d s)",
                                plan.size() - tally.unfinished(plan), plan.size(),
                                (System.nanoTime() - start) / 1_000_000_000L, settings.timeout().toSeconds());
                    }
                }
                progress("%d of %d migrations have their final event; reading 5 s more for duplicates",
                        plan.size() - tally.unfinished(plan), plan.size());
                // anything still coming (duplicates) arrives within a few seconds of the last final event
                long settle = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (System.nanoTime() < settle) {
                    reader.poll(tally);
                }
            }
            ChaosTally.Counts counts = tally.judge(plan);
            counts.notes.forEach(n -> progress("%s", n));
            return new Result(plan.size(), bitmaps, kills.get(), brokerRestarts, publisherKills, publishRetries.get(),
                    destinationErrors, tally.unfinished(plan), counts);
        } finally {
            progress("stopping %d destination instances and the broker", destinations.size());
            for (DestinationProcess d : destinations) {
                d.stop();
            }
        }
    }

    /** {@code --sync}: rounds of dbm sync from two threads while the chaos goes on, then their judgement. */
    private Result syncRounds(StandaloneKafkaBroker broker) throws Exception {
        SyncChaos sync = new SyncChaos(broker.bootstrapServers(), new Topics(PREFIX), settings.seed(),
                settings.sync().targets(), settings.sync().rounds(), settings.timeout());
        progress("%d sync rounds on %d targets", settings.sync().rounds(), settings.sync().targets());
        ExecutorService rounds = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int first = t;
                work.add(rounds.submit(() -> sync.run(first, 2, kills, settings.kills(), published)));
            }
            chaos(broker, work);
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            rounds.shutdownNow();
        }
        progress("all rounds done; %d kills, broker restarted %d time(s)", kills.get(), brokerRestarts);
        ChaosTally.Counts counts = sync.judge();
        counts.notes.forEach(n -> progress("%s", n));
        return new Result(0, 0, kills.get(), brokerRestarts, 0, 0, destinationErrors, 0, counts,
                sync.figures());
    }

    /** Kills and restarts destinations at random moments while publishing goes on, and restarts the broker once. */
    private void chaos(StandaloneKafkaBroker broker, List<Future<?>> work) throws Exception {
        int brokerRestartAt = Math.max(1, settings.kills() / 2);
        while (kills.get() < settings.kills()) {
            Thread.sleep(500 + random.nextInt(2500));
            DestinationProcess victim = destinations.get(random.nextInt(destinations.size()));
            victim.kill();
            int k = kills.incrementAndGet();
            progress("kill %d/%d (after %d migrations published)", k, settings.kills(), published.get());
            if (k == brokerRestartAt && brokerRestarts == 0) {
                long r0 = System.nanoTime();
                broker.restart();
                progress("restarted the broker in %.1f s", (System.nanoTime() - r0) / 1e9);
                brokerRestarts++;
            }
            victim.start();
            healBroken();
        }
        if (brokerRestarts == 0) {
            broker.restart();
            brokerRestarts++;
        }
    }

    /** A destination whose process died or whose Streams client stopped on an error is restarted (and counted). */
    private void healBroken() throws InterruptedException, IOException {
        for (DestinationProcess d : destinations) {
            if (d.broken()) {
                destinationErrors++;
                progress("a destination stopped on its own; restarting it");
                d.stop();
                d.start();
            }
        }
    }

    /**
     * Publishes every {@code step}-th migration from {@code first}. A publication that fails (the broker was
     * away longer than the producer's delivery timeout) is sent again with the same source id: its records
     * are the same, so the destination drops what it already has and the migration ends exactly.
     */
    private Void publish(String bootstrap, List<PlannedMigration> plan, int first, int step)
            throws InterruptedException {
        PublisherSettings s = PublisherSettings.builder(bootstrap).topics(new Topics(PREFIX))
                .sourceId("chaos-publisher-" + first).build();
        for (int i = first; i < plan.size(); i += step) {
            PlannedMigration m = plan.get(i);
            // spread the publications over the kills, so crashes hit migrations while they load
            long due = (long) i * settings.kills() / plan.size();
            while (kills.get() < due) {
                Thread.sleep(100);
            }
            for (int attempt = 1; ; attempt++) {
                try (MigrationPublisher publisher = new MigrationPublisher(s)) {
                    publisher.publish(m.request(), PublishListener.NONE);
                    break;
                } catch (IOException | PublishException e) {
                    if (attempt == 3) {
                        throw new IllegalStateException("cannot publish " + m.id() + ": " + e.getMessage(), e);
                    }
                    publishRetries.incrementAndGet();
                    progress("publishing %s failed (%s); sending it again with the same source id", m.id(),
                            e.getMessage());
                }
            }
            published.incrementAndGet();
        }
        return null;
    }

    /** Runs {@code dbm migrate} rate-limited in a child JVM, SIGKILLs it mid-way, then publishes it again with the same id. */
    private Void killPublisherMidway(String bootstrap, PlannedMigration m, Path dir) throws Exception {
        MigrationInput.RawBitmapFile raw = (MigrationInput.RawBitmapFile) m.request().inputs().get(0);
        ChildJvm child = ChildJvm.start(dir.resolve("killed-publisher.log"), "256m", List.of("migrate",
                "--bootstrap-servers", bootstrap, "--topic-prefix", PREFIX, "--migration-id", m.id(),
                "--target", m.request().target(), "--max-bandwidth", "48K", "--raw", raw.file().toString(),
                "--raw-node", raw.nodeName(), "--raw-name", raw.bitmapName(), "--granularity",
                String.valueOf(raw.granularity().bytes()), "--disk-size", String.valueOf(raw.diskSize()),
                "--raw-enabled", "--raw-persistent", "--json"));
        long seen;
        try (ChunkCounter counter = new ChunkCounter(bootstrap, new Topics(PREFIX))) {
            seen = counter.awaitRecordsOf(m.id(), 3 + random.nextInt(60), Duration.ofMinutes(2));
        }
        child.kill();
        publisherKills++;
        progress("killed the publishing process of %s after %d of its chunks; publishing it again with the same id"
                + " (as a user would: another source id)", m.id(), seen);
        PublisherSettings s = PublisherSettings.builder(bootstrap).topics(new Topics(PREFIX)).build();
        try (MigrationPublisher publisher = new MigrationPublisher(s)) {
            publisher.publish(m.request(), PublishListener.NONE);
        }
        return null;
    }

    private Path destinationConfig(Path dir) throws IOException {
        Path config = dir.resolve("destination.properties");
        Files.writeString(config, String.join("\n",
                DestinationConfig.TOPIC_PARTITIONS + "=" + settings.partitions(),
                "consumer.session.timeout.ms=6000",
                "consumer.heartbeat.interval.ms=1500",
                "") );
        return config;
    }

    private void progress(String format, Object... args) {
        log.printf("chaos: " + format + "%n", args);
        log.flush();
    }
}
