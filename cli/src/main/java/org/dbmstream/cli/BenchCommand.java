package org.dbmstream.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.dbmstream.bench.PublishBench;
import org.dbmstream.bench.SteadyBench;
import org.dbmstream.bench.TopologyBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dbm bench}: benchmarks printing JSON figures, ratios against plain Kafka clients on one broker. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks on an in-process broker; JSON lines, the last one the summary.",
        subcommands = {BenchCommand.Topology.class, BenchCommand.Publish.class, BenchCommand.Steady.class})
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
