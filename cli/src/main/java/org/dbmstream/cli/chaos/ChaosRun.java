package org.dbmstream.cli.chaos;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.dbmstream.cli.process.ChildJvm;
import org.dbmstream.query.AccessFile;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.PublishException;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublisherSettings;
import org.dbmstream.topology.DestinationConfig;

/**
 * A chaos run: standalone broker processes (one, or a cluster), destination instances in child JVMs, and
 * migrations published by two threads of this JVM while faults happen one after another: destinations
 * SIGKILLed and restarted, brokers restarted, SIGKILLed or lost for good, the number of destinations
 * scaled, and one publishing process killed mid-migration and its migration retried with the same id.
 * Then every migration's events are judged ({@link ChaosTally}), and optional phases run on the settled
 * replica: queries during a failover ({@link QueryFailover}) and an instance that lost its volume
 * ({@link LostVolume}).
 */
final class ChaosRun {
    private static final String PREFIX = "chaos.";

    /**
     * What to run.
     *
     * @param brokers     1: a single broker, restarted once; 3 or more: a cluster
     * @param brokerKills cluster node SIGKILLs (each restarted); a cluster also loses one node for good
     * @param scale       destination counts to go through after starting with {@code destinations}
     * @param queries     whether to measure queries while an instance fails over
     * @param lostVolume  whether to restart an instance on an empty state directory
     * @param volumeMib   MiB of dense bitmaps to add (state worth restoring)
     * @param small       every bitmap of the smallest kind (runs of many migrations)
     * @param sync        {@code --sync}: rounds of dbm sync instead of migrations (null: migrations)
     */
    record Settings(int migrations, int kills, int destinations, int partitions, long seed, Duration timeout, Path dir,
            int brokers, int brokerKills, List<Integer> scale, boolean queries, boolean lostVolume, int volumeMib,
            boolean small, SyncRounds sync) {
        Settings {
            scale = List.copyOf(scale);
        }

        /** A run on a single broker, without the optional phases. */
        Settings(int migrations, int kills, int destinations, int partitions, long seed, Duration timeout, Path dir) {
            this(migrations, kills, destinations, partitions, seed, timeout, dir, 1, 0, List.of(), false, false, 0, false,
                    null);
        }
    }

    /** {@code --sync}: rounds of dbm sync on {@code targets} targets instead of migrations. */
    record SyncRounds(int targets, int rounds) {
    }

    /** The faults of a run, in the order they happen. */
    private enum Fault { DESTINATION, BROKER, BROKER_LOST, SCALE }

    /** How often the wait for the final events says how far it is. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final Settings settings;
    private final PrintWriter log;
    private final Random random;
    private final AtomicInteger published = new AtomicInteger();
    private final AtomicInteger publishRetries = new AtomicInteger();
    private final AtomicInteger faultsDone = new AtomicInteger();
    private final Map<String, Long> publishedAt = new ConcurrentHashMap<>();
    private int kills;
    private int publisherKills;

    ChaosRun(Settings settings, PrintWriter log) {
        this.settings = settings;
        this.log = log;
        this.random = new Random(settings.seed());
    }

    ChaosResult run() throws Exception {
        long t0 = System.nanoTime();
        Path dir = settings.dir();
        Files.createDirectories(dir.resolve("bitmaps"));
        ChaosPlan planner = new ChaosPlan(settings.seed(), dir.resolve("bitmaps"), settings.small());
        List<PlannedMigration> plan = new ArrayList<>(planner.migrations(settings.migrations()));
        plan.addAll(planner.dense(settings.volumeMib()));
        PlannedMigration large = planner.large("chaos-killed-publisher");
        plan.add(large);
        int bitmaps = plan.stream().mapToInt(m -> m.bitmaps().size()).sum();
        progress("planned %d migrations with %d bitmaps (%d cancelled on purpose) in %s", plan.size(), bitmaps,
                plan.stream().filter(m -> m.expected() == PlannedMigration.Outcome.CANCELLED).count(), dir);
        List<Fault> faults = schedule();

        try (ChaosBrokers brokers = ChaosBrokers.start(settings.brokers(), dir, this::progress)) {
            progress("%s on %s", brokers.isCluster() ? "a cluster of " + settings.brokers() + " broker processes"
                    : "a broker process", brokers.bootstrap());
            String readToken = AccessFile.newToken();
            ChaosHttp http = new ChaosHttp(readToken);
            try (DestinationFleet fleet = new DestinationFleet(dir, brokers::bootstrap, PREFIX,
                    destinationConfig(dir, brokers.isCluster()), apiArgs(dir, readToken), http, this::progress)) {
                fleet.startUpTo(settings.destinations());
                progress("%d destination instances running", fleet.running().size());
                if (settings.sync() != null) {
                    return syncRounds(brokers, fleet, faults, t0);
                }
                ChaosTally tally = new ChaosTally();
                List<DestinationFleet.ScaleStep> steps = new ArrayList<>();
                try (EventReader events = new EventReader(brokers.bootstrap(), new Topics(PREFIX), tally,
                        this::progress)) {
                    publishUnderFaults(plan, large, faults, brokers, fleet, steps, t0);
                    progress("all published; waiting for every final event");
                    awaitFinalEvents(plan, tally, fleet);
                    // anything still coming (duplicates) arrives within a few seconds of the last final event
                    Thread.sleep(5000);
                }
                ChaosTally.Counts counts = tally.judge(plan);
                counts.notes.forEach(n -> progress("%s", n));
                List<DestinationFleet.ScaleStep> scaling = steps.stream().map(s -> s.withGap(
                        tally.longestGapNanos(s.startNanos(), s.endNanos()) / 1e9)).toList();
                ChaosBrokers.Figures brokerFigures = brokers.figures();
                Replica replica = Replica.of(plan, tally);
                QueryFailover.Figures queries = settings.queries()
                        ? new QueryFailover(fleet, http, replica, random, this::progress).run() : null;
                LostVolume.Figures lost = settings.lostVolume()
                        ? new LostVolume(fleet, http, replica, this::progress).run() : null;
                return new ChaosResult(plan.size(), bitmaps, kills, publisherKills, publishRetries.get(),
                        fleet.errors(), tally.unfinished(plan), counts, brokerFigures, latencies(plan, tally), scaling,
                        queries, lost, settings.seed(), (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    /** Waits for every migration's final event (at most {@code --timeout}), saying every 10 s how far it is. */
    private void awaitFinalEvents(List<PlannedMigration> plan, ChaosTally tally, DestinationFleet fleet)
            throws InterruptedException, IOException {
        long start = System.nanoTime();
        long deadline = start + settings.timeout().toNanos();
        long nextReport = start + PROGRESS_EVERY.toNanos();
        while (tally.unfinished(plan) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(500);
            fleet.heal();
            if (System.nanoTime() >= nextReport) {
                nextReport += PROGRESS_EVERY.toNanos();
                progress("%d of %d migrations have their final event (%d s of --timeout %d s)",
                        plan.size() - tally.unfinished(plan), plan.size(),
                        (System.nanoTime() - start) / 1_000_000_000L, settings.timeout().toSeconds());
            }
        }
        progress("%d of %d migrations have their final event; reading 5 s more for duplicates",
                plan.size() - tally.unfinished(plan), plan.size());
    }

    /**
     * The run's faults in order: destination kills, with the broker faults and scaling steps spread evenly
     * among them (a cluster's permanent node loss about two thirds of the way through the broker faults).
     */
    private List<Fault> schedule() {
        List<Fault> others = new ArrayList<>();
        int brokerFaults = settings.brokers() == 1 ? 1 : settings.brokerKills();
        others.addAll(Collections.nCopies(brokerFaults, Fault.BROKER));
        if (settings.brokers() > 1) {
            others.add((others.size() * 2 + 2) / 3, Fault.BROKER_LOST);
        }
        List<Fault> scaling = new ArrayList<>(Collections.nCopies(settings.scale().size(), Fault.SCALE));
        // interleave scaling steps with the broker faults
        for (int i = 0; i < scaling.size(); i++) {
            others.add(Math.min(others.size(), (int) Math.round((i + 1.0) * others.size() / (scaling.size() + 1)) + i),
                    Fault.SCALE);
        }
        List<Fault> all = new ArrayList<>(Collections.nCopies(settings.kills(), Fault.DESTINATION));
        int total = all.size() + others.size();
        for (int j = 0; j < others.size(); j++) {
            int at = (int) Math.round((j + 1.0) * total / (others.size() + 1)) - 1;
            all.add(Math.max(0, Math.min(all.size(), at)), others.get(j));
        }
        return all;
    }

    private void publishUnderFaults(List<PlannedMigration> plan, PlannedMigration large, List<Fault> faults,
            ChaosBrokers brokers, DestinationFleet fleet, List<DestinationFleet.ScaleStep> steps, long t0)
            throws Exception {
        ExecutorService publishers = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> work = new ArrayList<>();
            List<PlannedMigration> regular = plan.subList(0, plan.size() - 1);
            for (int t = 0; t < 2; t++) {
                int first = t;
                work.add(publishers.submit(() -> publish(brokers, regular, first, 2, faults.size())));
            }
            Future<?> killedPublisher = publishers.submit(() -> killPublisherMidway(brokers.bootstrap(), large,
                    settings.dir()));
            runFaults(faults, brokers, fleet, steps, t0);
            for (Future<?> f : work) {
                f.get();
            }
            killedPublisher.get();
        } finally {
            publishers.shutdownNow();
        }
    }

    /** Runs the faults in order, a random 0.5-3 s apart, counting each in {@link #faultsDone} once it is over. */
    private void runFaults(List<Fault> faults, ChaosBrokers brokers, DestinationFleet fleet,
            List<DestinationFleet.ScaleStep> steps, long t0) throws Exception {
        int step = 0;
        for (Fault fault : faults) {
            Thread.sleep(500 + random.nextInt(2500));
            switch (fault) {
                case DESTINATION -> {
                    DestinationProcess victim = fleet.killAndRestart(random);
                    kills++;
                    progress("killed and restarted destination %d (kill %d/%d, %d migrations published)",
                            victim.index(), kills, settings.kills(), published.get());
                }
                case BROKER -> brokers.fault(random);
                case BROKER_LOST -> brokers.loseOne(random);
                case SCALE -> steps.add(fleet.scaleTo(settings.scale().get(step++), t0));
            }
            faultsDone.incrementAndGet();
            fleet.heal();
        }
    }

    /** {@code --sync}: rounds of dbm sync from two threads while the faults go on, then their judgement. */
    private ChaosResult syncRounds(ChaosBrokers brokers, DestinationFleet fleet, List<Fault> faults, long t0)
            throws Exception {
        SyncChaos sync = new SyncChaos(brokers.bootstrap(), new Topics(PREFIX), settings.seed(),
                settings.sync().targets(), settings.sync().rounds(), settings.timeout());
        progress("%d sync rounds on %d targets", settings.sync().rounds(), settings.sync().targets());
        ExecutorService rounds = Executors.newFixedThreadPool(2);
        List<DestinationFleet.ScaleStep> steps = new ArrayList<>();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int first = t;
                work.add(rounds.submit(() -> sync.run(first, 2, faultsDone, faults.size(), published)));
            }
            runFaults(faults, brokers, fleet, steps, t0);
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            rounds.shutdownNow();
        }
        progress("all rounds done; %d destination kills", kills);
        ChaosTally.Counts counts = sync.judge();
        counts.notes.forEach(n -> progress("%s", n));
        return new ChaosResult(0, 0, kills, 0, 0, fleet.errors(), 0, counts, brokers.figures(), new double[0], steps,
                null, null, settings.seed(), (System.nanoTime() - t0) / 1e9).withSync(sync.figures());
    }

    /**
     * Publishes every {@code step}-th migration from {@code first}, spread over the faults. A publication that
     * fails (the broker was away longer than the producer's delivery timeout) is sent again with the same
     * source id: its records are the same, so the destination drops what it already has and the migration
     * ends exactly.
     */
    private Void publish(ChaosBrokers brokers, List<PlannedMigration> plan, int first, int step, int faults)
            throws InterruptedException {
        for (int i = first; i < plan.size(); i += step) {
            PlannedMigration m = plan.get(i);
            // spread the publications over the faults, so crashes hit migrations while they load
            long due = (long) i * faults / plan.size();
            while (faultsDone.get() < due) {
                Thread.sleep(100);
            }
            PublisherSettings s = PublisherSettings.builder(brokers.bootstrap()).topics(new Topics(PREFIX))
                    .sourceId("chaos-publisher-" + first).build();
            publishWithRetries(s, m);
            publishedAt.put(m.id(), System.nanoTime());
            published.incrementAndGet();
        }
        return null;
    }

    /**
     * Publishes {@code m}; a publication that fails (a broker away longer than the producer's delivery timeout)
     * is sent again with the same source id, up to three attempts in all.
     */
    private void publishWithRetries(PublisherSettings s, PlannedMigration m) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try (MigrationPublisher publisher = new MigrationPublisher(s)) {
                publisher.publish(m.request(), PublishListener.NONE);
                return;
            } catch (IOException | PublishException e) {
                if (attempt == 3) {
                    throw new IllegalStateException("cannot publish " + m.id() + ": " + e.getMessage(), e);
                }
                publishRetries.incrementAndGet();
                progress("publishing %s failed (%s); sending it again with the same source id", m.id(),
                        e.getMessage());
            }
        }
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
        // one source id for every attempt of the new publication, so an attempt that times out while a broker
        // is away is sent again exactly as the regular publications are
        PublisherSettings s = PublisherSettings.builder(bootstrap).topics(new Topics(PREFIX))
                .sourceId("chaos-republisher").build();
        publishWithRetries(s, m);
        publishedAt.put(m.id(), System.nanoTime());
        return null;
    }

    /** Seconds from each migration's publication returning to its first final event being read. */
    private double[] latencies(List<PlannedMigration> plan, ChaosTally tally) {
        return plan.stream().filter(m -> publishedAt.containsKey(m.id()) && tally.finalSeen(m.id()) != null)
                .mapToDouble(m -> Math.max(0, tally.finalSeen(m.id()) - publishedAt.get(m.id())) / 1e9).toArray();
    }

    /**
     * The destinations' properties. On a cluster, as production runs them: Kafka Streams' own topics with
     * replication factor 3 ({@code replication.factor}), one standby replica of every task, and probing
     * rebalances every minute (the least Kafka Streams allows) so that an instance that rejoins gets tasks back soon.
     */
    private Path destinationConfig(Path dir, boolean cluster) throws IOException {
        Path config = dir.resolve("destination.properties");
        List<String> lines = new ArrayList<>(List.of(
                DestinationConfig.TOPIC_PARTITIONS + "=" + settings.partitions(),
                "consumer.session.timeout.ms=6000",
                "consumer.heartbeat.interval.ms=1500"));
        if (cluster) {
            lines.addAll(List.of(DestinationConfig.TOPIC_REPLICATION + "=" + ChaosBrokers.CLUSTER_REPLICATION,
                    "num.standby.replicas=1", "probing.rebalance.interval.ms=60000"));
        }
        Files.writeString(config, String.join("\n", lines) + "\n");
        return config;
    }

    /**
     * The query API protected as a user would (README "Securing the query API"): an access file with the run's
     * read token, and a peer token the instances forward with.
     */
    private static List<String> apiArgs(Path dir, String readToken) throws IOException {
        Path access = dir.resolve("api-access");
        Files.writeString(access, AccessFile.line(readToken, AccessFile.Role.READ, "chaos-reader") + "\n");
        Path peer = dir.resolve("api-peer.token");
        Files.writeString(peer, AccessFile.newToken() + "\n");
        return List.of("--api-access", access.toString(), "--api-peer-token-file", peer.toString());
    }

    private void progress(String format, Object... args) {
        progress(String.format(format, args));
    }

    private synchronized void progress(String line) {
        log.println("chaos: " + line);
        log.flush();
    }
}
