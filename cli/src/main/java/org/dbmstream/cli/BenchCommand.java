package org.dbmstream.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.dbmstream.bench.PublishBench;
import org.dbmstream.bench.SteadyBench;
import org.dbmstream.bench.TopologyBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code dbm bench}: benchmarks printing JSON figures, ratios against plain Kafka clients on one broker. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks on an in-process broker; JSON lines, the last one the summary.",
        subcommands = {BenchCommand.Topology.class, BenchCommand.Publish.class, BenchCommand.Steady.class,
            BenchCommand.Query.class, BenchCommand.Sync.class})
final class BenchCommand {

    /** The destination topology against a plain consumer reading the same chunks topic. */
    @Command(name = "topology", mixinStandardHelpOptions = true,
            description = {"Destination throughput (chunks/s, bitmap MiB/s) against a plain KafkaConsumer on the same "
                + "chunks topic, for bitmaps of 1x, 4x and 16x size, with exactly_once_v2."})
    static final class Topology implements Callable<Integer> {
        @Option(names = "--base-chunks", defaultValue = "" + TopologyBench.DEFAULT_BASE_CHUNKS,
                description = "BITS chunks of the 1x bitmap (1 KiB of bitmap each; default: ${DEFAULT-VALUE}).")
        int baseChunks;

        @Override
        public Integer call() throws Exception {
            TopologyBench.run(baseChunks, new PrintStream(System.out, true));
            return 0;
        }
    }

    /** Our publisher against a plain producer sending the same bytes to the same broker. */
    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = {"Publish throughput (MiB/s) of dbm's publisher against a plain KafkaProducer configured "
                + "alike, sending the same record bytes, for bitmaps of 1x, 4x and 16x size."})
    static final class Publish implements Callable<Integer> {
        @Option(names = "--base-chunks", defaultValue = "" + PublishBench.DEFAULT_BASE_CHUNKS,
                description = "BITS chunks of the 1x bitmap (default: ${DEFAULT-VALUE}).")
        int baseChunks;

        @Option(names = "--transactional", description = "Publish each migration in one transaction.")
        boolean transactional;

        @Override
        public Integer call() throws Exception {
            PublishBench.run(baseChunks, transactional, new PrintStream(System.out, true));
            return 0;
        }
    }

    /** The query API: one large bitmap's extents and raw bytes, and the list of many bitmaps. */
    @Command(name = "query", mixinStandardHelpOptions = true,
            description = {"Query API costs on a destination with an in-process broker: extents and raw bytes of one "
                + "large bitmap (time, peak heap growth while streaming) and the list of many bitmaps (time)."})
    static final class Query implements Callable<Integer> {
        @Option(names = "--bitmap-mib", defaultValue = "" + org.dbmstream.bench.QueryBench.DEFAULT_BITMAP_MIB,
                description = "Size of the large bitmap in MiB (512-byte granularity; default: ${DEFAULT-VALUE}).")
        int bitmapMib;

        @Option(names = "--list-bitmaps", defaultValue = "" + org.dbmstream.bench.QueryBench.DEFAULT_LIST_BITMAPS,
                description = "Bitmaps of the listed target (default: ${DEFAULT-VALUE}).")
        int listBitmaps;

        @Override
        public Integer call() throws Exception {
            org.dbmstream.bench.QueryBench.run(bitmapMib, listBitmaps, new PrintStream(System.out, true));
            return 0;
        }
    }

    /** Keeping a fleet's replicas current: what a sync round costs against the full migration of the fleet. */
    @Command(name = "sync", mixinStandardHelpOptions = true,
            description = {"A fleet of VMs (one bitmap of a 1 TiB disk at 64 KiB each) sent whole, then rounds of dbm "
                + "sync after --change of every bitmap's chunks changed: records and bytes per round against the full "
                + "migration, round completion p50/p99, destination CPU; then one 256 MiB bitmap whole and as a delta."})
    static final class Sync implements Callable<Integer> {
        @Option(names = "--vms", defaultValue = "" + org.dbmstream.bench.SyncBench.DEFAULT_VMS,
                description = "VMs of the fleet (default: ${DEFAULT-VALUE}).")
        int vms;

        @Option(names = "--change", defaultValue = "1%",
                description = "Share of every bitmap's chunks changed between rounds (default: ${DEFAULT-VALUE}).")
        String change;

        @Option(names = "--rounds", defaultValue = "" + org.dbmstream.bench.SyncBench.DEFAULT_ROUNDS,
                description = "Delta rounds after the full one (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            double share;
            try {
                share = change.endsWith("%") ? Double.parseDouble(change.substring(0, change.length() - 1)) / 100
                        : Double.parseDouble(change);
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--change must be a share such as 1% or 0.01: "
                        + change);
            }
            if (share <= 0 || share > 1 || vms < 1 || rounds < 1) {
                throw new ParameterException(spec.commandLine(), "need --vms >= 1, --rounds >= 1, 0 < --change <= 100%");
            }
            org.dbmstream.bench.SyncBench.run(vms, share, rounds, new PrintStream(System.out, true));
            return 0;
        }
    }

    /** A running destination receiving a sustained stream of migrations: throughput and latency. */
    @Command(name = "steady", mixinStandardHelpOptions = true,
            description = {"A warm destination receiving a stream of migrations (2 bitmaps of a 1 TiB disk at 64 KiB "
                + "granularity each): chunks/s against a tuned plain consumer and a no-op Kafka Streams app on the "
                + "same records, and per-migration latency (p50, p99) from last chunk acknowledged to "
                + "MigrationCompleted."})
    static final class Steady implements Callable<Integer> {
        @Option(names = "--vms", defaultValue = "" + SteadyBench.DEFAULT_VMS,
                description = "Migrations of the realistic case (mostly ZEROES, runs of dirty clusters; "
                    + "default: ${DEFAULT-VALUE}).")
        int vms;

        @Option(names = "--dense-vms", defaultValue = "" + SteadyBench.DEFAULT_DENSE_VMS,
                description = "Migrations of the dense worst case (every chunk dirty; 0 skips it; "
                    + "default: ${DEFAULT-VALUE}).")
        int denseVms;

        @Option(names = "--latency-migrations", defaultValue = "" + SteadyBench.DEFAULT_LATENCY_MIGRATIONS,
                description = "Migrations timed one at a time per case (default: ${DEFAULT-VALUE}).")
        int latencyMigrations;

        @Override
        public Integer call() throws Exception {
            SteadyBench.run(vms, denseVms, latencyMigrations, new PrintStream(System.out, true));
            return 0;
        }
    }
}
