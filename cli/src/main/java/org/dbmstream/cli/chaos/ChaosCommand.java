package org.dbmstream.cli.chaos;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code dbm chaos}: migrations under crashes, judged for lost, duplicated, mismatched and wrong outcomes. */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Runs N migrations (mixed sizes, some with mappings, some cancelled on purpose) through "
            + "standalone Kafka broker processes and destination instances in child JVMs, SIGKILLs and restarts a "
            + "random destination at random moments, restarts the broker once (or, with --brokers 3, SIGKILLs and "
            + "restarts cluster nodes one at a time and replaces one lost for good), kills one publishing process "
            + "mid-migration (then retries it with the same id), and optionally scales the destinations, measures "
            + "queries during a failover and restarts an instance on an empty state directory. Progress goes to "
            + "stderr; stdout gets one JSON line.",
            "Exit 0 when lost, duplicated, mismatched and wrong_outcome are all 0 (and no query answer was wrong, "
            + "no bitmap differs after the lost volume)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all counters are 0", "1:some counter is not 0, or migrations never ended",
            "2:bad arguments"})
public final class ChaosCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--migrations", defaultValue = "200", description = "Migrations (default: ${DEFAULT-VALUE}).")
    int migrations;

    @Option(names = "--kills", defaultValue = "20", description = "Destination SIGKILLs (default: ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--destinations", defaultValue = "3", description = "Destination instances (default: ${DEFAULT-VALUE}).")
    int destinations;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--brokers", defaultValue = "1", description = "Broker processes: 1 (restarted once) or a "
            + "cluster of 3 or more KRaft nodes (replication factor 3, min.insync.replicas 2; default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--broker-kills", defaultValue = "4", description = "With --brokers 3+: node SIGKILLs, one at a "
            + "time, each restarted; one more node is lost for good and replaced (default: ${DEFAULT-VALUE}).")
    int brokerKills;

    @Option(names = "--scale", split = ",", paramLabel = "N[,N...]", description = "Destination counts to scale to "
            + "while migrations run, after starting with --destinations (e.g. --destinations 1 --scale 3,2).")
    List<Integer> scale = new ArrayList<>();

    @Option(names = "--queries", description = "Afterwards, measure queries during a failover: readers GET the "
            + "bitmaps of one destination through another while it is SIGKILLed and started again.")
    boolean queries;

    @Option(names = "--lost-volume", description = "Afterwards, restart the destination with the most state on an "
            + "empty state directory; it rebuilds from the changelogs (restore time per GiB).")
    boolean lostVolume;

    @Option(names = "--volume-mib", defaultValue = "0", paramLabel = "MIB", description = "MiB of dense bitmaps "
            + "(32 MiB each) to add, so that the state is worth restoring (default: ${DEFAULT-VALUE}).")
    int volumeMib;

    @Option(names = "--small", description = "Only the smallest bitmaps (one chunk each), for runs of many migrations.")
    boolean small;

    @Option(names = "--seed", description = "Random seed (default: the clock); the JSON line prints it.")
    Long seed;

    @Option(names = "--timeout", defaultValue = "10m", paramLabel = "DURATION",
            description = "How long to wait for the last final events after publishing: 30m, 2h or ISO-8601 such "
                + "as PT10M (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where broker, destinations and bitmaps live "
            + "(default: a temporary directory, deleted afterwards unless --keep).")
    Path dir;

    @Option(names = "--keep", description = "Keep the directory (logs of every process) after the run.")
    boolean keep;

    @Option(names = "--sync", description = "Instead of migrations: rounds of dbm sync (mostly deltas) on several "
            + "targets while the same chaos goes on; every round's replica must be its source's.")
    boolean sync;

    @Option(names = "--sync-targets", defaultValue = "4", description = "With --sync: targets (default: ${DEFAULT-VALUE}).")
    int syncTargets;

    @Option(names = "--sync-rounds", defaultValue = "30",
            description = "With --sync: rounds per target (default: ${DEFAULT-VALUE}).")
    int syncRounds;

    @Override
    public Integer call() throws Exception {
        check();
        long t0 = System.nanoTime();
        long s = seed != null ? seed : System.currentTimeMillis();
        Path where = dir != null ? dir : Files.createTempDirectory("dbm-chaos-");
        PrintWriter err = spec.commandLine().getErr();
        ChaosResult r;
        try {
            r = new ChaosRun(new ChaosRun.Settings(migrations, kills, destinations, partitions, s, timeout, where,
                    brokers, brokers == 1 ? 0 : brokerKills, scale, queries, lostVolume, volumeMib, small,
                    sync ? new ChaosRun.SyncRounds(syncTargets, syncRounds) : null), err).run();
        } finally {
            if (dir == null && !keep) {
                deleteQuietly(where);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        // the whole run's wall time, planning, starting and stopping the processes included
        out.println(r.withSeconds((System.nanoTime() - t0) / 1e9).json());
        out.flush();
        return r.passed() ? 0 : 1;
    }

    private void check() {
        if (brokers != 1 && brokers < 3) {
            throw bad("--brokers " + brokers + ": 1, or 3 and more (a cluster that keeps a quorum when one node is down)");
        }
        if (migrations < 0 || kills < 0 || brokerKills < 0 || volumeMib < 0) {
            throw bad("--migrations, --kills, --broker-kills and --volume-mib must not be negative");
        }
        if (destinations < 1 || partitions < 1 || scale.stream().anyMatch(n -> n < 1)) {
            throw bad("--destinations, --partitions and every --scale count must be at least 1");
        }
        int last = scale.isEmpty() ? destinations : scale.get(scale.size() - 1);
        if (queries && last < 2) {
            throw bad("--queries needs 2 or more destinations at the end (one fails over to another)");
        }
        if (sync && (syncTargets < 1 || syncRounds < 1)) {
            throw bad("--sync-targets and --sync-rounds must be at least 1");
        }
        if (sync && (queries || lostVolume)) {
            throw bad("--queries and --lost-volume check the bitmaps of migrations; --sync runs sync rounds instead");
        }
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static void deleteQuietly(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; nothing else to do
        }
    }
}
