package org.dbmstream.cli.chaos;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dbm chaos}: migrations under crashes, judged for lost, duplicated, mismatched and wrong outcomes. */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = {"Runs N migrations (mixed sizes, some with mappings, some cancelled on purpose) through a "
            + "standalone Kafka broker process and destination instances in child JVMs, SIGKILLs and restarts a "
            + "random destination at random moments, restarts the broker once and kills one publishing process "
            + "mid-migration (then retries it with the same id). Progress goes to stderr; stdout gets one JSON line.",
            "Exit 0 when lost, duplicated, mismatched and wrong_outcome are all 0."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all four counters are 0", "1:some counter is not 0, or migrations never ended"})
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
        long t0 = System.nanoTime();
        long s = seed != null ? seed : System.currentTimeMillis();
        Path where = dir != null ? dir : Files.createTempDirectory("dbm-chaos-");
        PrintWriter err = spec.commandLine().getErr();
        ChaosRun.Result r;
        try {
            r = new ChaosRun(new ChaosRun.Settings(migrations, kills, destinations, partitions, s, timeout, where,
                    sync ? new ChaosRun.SyncRounds(syncTargets, syncRounds) : null), err).run();
        } finally {
            if (dir == null && !keep) {
                deleteQuietly(where);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        // the whole run's wall time, planning, starting and stopping the processes included
        out.println(json(r, s, (System.nanoTime() - t0) / 1e9));
        out.flush();
        return r.counts().clean() && r.unfinished() == 0 ? 0 : 1;
    }

    static String json(ChaosRun.Result r, long seed, double seconds) {
        return String.format(Locale.ROOT, "{\"migrations\": %d, \"bitmaps\": %d, \"kills\": %d, \"broker_restarts\": %d, "
                + "\"publisher_kills\": %d, \"publish_retries\": %d, \"destination_errors\": %d, \"unfinished\": %d, \"lost\": %d, "
                + "\"duplicated\": %d, \"mismatched\": %d, \"wrong_outcome\": %d, \"seed\": %d, \"seconds\": %.1f}",
                r.migrations(), r.bitmaps(), r.kills(), r.brokerRestarts(), r.publisherKills(), r.publishRetries(),
                r.destinationErrors(),
                r.unfinished(), r.counts().lost, r.counts().duplicated, r.counts().mismatched, r.counts().wrongOutcome,
                seed, seconds).replaceFirst("}$", r.syncFigures() == null ? "}" : ", " + r.syncFigures() + "}");
    }

    private static void deleteQuietly(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; nothing else to do
        }
    }
}
