package org.dbmstream.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dbmstream.bench.PublishBench;
import org.dbmstream.bench.ScaleBench;
import org.dbmstream.bench.SteadyBench;
import org.dbmstream.bench.TopologyBench;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.cli.bench.LiveBench;
import org.dbmstream.topology.DestinationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code dbm bench}: benchmarks printing JSON figures, ratios against plain Kafka clients on one broker. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks on an in-process broker; JSON lines, the last one the summary.",
        subcommands = {BenchCommand.Topology.class, BenchCommand.Publish.class, BenchCommand.Steady.class,
            BenchCommand.Query.class, BenchCommand.Live.class, BenchCommand.Scale.class,
            BenchCommand.Sync.class})
final class BenchCommand {

    /** The destination topology against a plain consumer reading the same chunks topic. */
    @Command(name = "topology", mixinStandardHelpOptions = true,
            description = {"Destination throughput (chunks/s, bitmap MiB/s) against a plain KafkaConsumer on the same "
                + "chunks topic, for bitmaps of 1x, 4x and 16x size, with exactly_once_v2."})
    static final class Topology implements Callable<Integer> {
        @Option(names = "--base-chunks", defaultValue = "" + TopologyBench.DEFAULT_BASE_CHUNKS,
                description = "KiB of the 1x bitmap, QEMU's 1 KiB chunks it would take (default: ${DEFAULT-VALUE}).")
        int baseChunks;

        @Mixin
        ChunkSizeOption chunkSize = new ChunkSizeOption();

        @Override
        public Integer call() throws Exception {
            TopologyBench.run(baseChunks, chunkSize.orElse(ChunkSize.KAFKA_DEFAULT), new PrintStream(System.out, true));
            return 0;
        }
    }

    /** Our publisher against a plain producer sending the same bytes to the same broker. */
    @Command(name = "publish", mixinStandardHelpOptions = true,
            description = {"Publish throughput (MiB/s) of dbm's publisher against a plain KafkaProducer configured "
                + "alike, sending the same record bytes, for bitmaps of 1x, 4x and 16x size."})
    static final class Publish implements Callable<Integer> {
        @Option(names = "--base-chunks", defaultValue = "" + PublishBench.DEFAULT_BASE_CHUNKS,
                description = "KiB of the 1x bitmap, QEMU's 1 KiB chunks it would take (default: ${DEFAULT-VALUE}).")
        int baseChunks;

        @Mixin
        ChunkSizeOption chunkSize = new ChunkSizeOption();

        @Option(names = "--transactional", description = "Publish each migration in one transaction.")
        boolean transactional;

        @Override
        public Integer call() throws Exception {
            PublishBench.run(baseChunks, transactional, chunkSize.orElse(ChunkSize.KAFKA_DEFAULT),
                    new PrintStream(System.out, true));
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

        @Mixin
        ChunkSizeOption chunkSize = new ChunkSizeOption();

        @Override
        public Integer call() throws Exception {
            SteadyBench.run(vms, denseVms, latencyMigrations, chunkSize.orElse(ChunkSize.KAFKA_DEFAULT),
                    new PrintStream(System.out, true));
            return 0;
        }
    }

    /** A running destination fed by {@code dbm migrate} processes: time, disk writes and changelog records per run. */
    @Command(name = "live", mixinStandardHelpOptions = true,
            description = {"A running destination (dbm destination with its in-process broker, in a child JVM) fed "
                + "by dbm migrate child processes: RUNS migrations of one random bitmap to different targets, "
                + "alternating the raw file and the same bitmap as a QEMU stream. Per run: seconds, bytes written to "
                + "disk by the destination's JVM (broker included) in all, per bitmap byte and per thread group, and "
                + "records of the bits store's changelog per chunk; the summary has the slowest/fastest ratio."})
    static final class Live implements Callable<Integer> {
        @Option(names = "--runs", defaultValue = "8", description = "Migrations, one after the other (default: "
                + "${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--warmup", defaultValue = "1", description = "Untimed migrations first, as a running "
                + "service is warm (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--bitmap-mib", defaultValue = "128", description = "Size of the random bitmap in MiB "
                + "(default: ${DEFAULT-VALUE}).")
        int bitmapMib;

        @Option(names = "--granularity", defaultValue = "512", description = "Its granularity; the disk is its bits "
                + "times this (default: ${DEFAULT-VALUE}, so 128 MiB of bitmap is a 512 GiB disk).")
        String granularity;

        @Mixin
        ChunkSizeOption chunkSize = new ChunkSizeOption();

        @Option(names = "--dir", paramLabel = "DIR", description = "Inputs, state and logs (default: a temporary "
                + "directory, deleted afterwards unless --keep).")
        Path dir;

        @Option(names = "--keep", description = "Keep the directory (the processes' logs) after the run.")
        boolean keep;

        @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...", description = "Feed an already running "
                + "destination on these brokers instead of starting one (needs --destination-pid).")
        String bootstrap;

        @Option(names = "--destination-pid", paramLabel = "PID", description = "Process id of that destination (its "
                + "disk writes are read from /proc/PID; with an external broker they are the destination's only).")
        long destinationPid;

        @Option(names = "--application-id", defaultValue = DestinationConfig.DEFAULT_APPLICATION_ID,
                description = "That destination's application id (default: ${DEFAULT-VALUE}).")
        String applicationId;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if ((bootstrap == null) != (destinationPid == 0)) {
                throw new ParameterException(spec.commandLine(), "--bootstrap-servers and --destination-pid go together");
            }
            if (runs < 1 || bitmapMib < 1 || warmup < 0) {
                throw new ParameterException(spec.commandLine(), "--runs and --bitmap-mib must be at least 1, "
                        + "--warmup at least 0");
            }
            final Granularity g;
            try {
                g = Granularity.parse(granularity);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--granularity: " + e.getMessage(), e);
            }
            final Path where = dir != null ? dir : Files.createTempDirectory("dbm-bench-live-");
            try {
                LiveBench.run(new LiveBench.Settings(warmup, runs, bitmapMib, g, chunkSize.orElse(ChunkSize.KAFKA_DEFAULT),
                        where, bootstrap, destinationPid, applicationId), new PrintStream(System.out, true));
            } finally {
                if (dir == null && !keep) {
                    EmbeddedRuntime.deleteQuietly(where);
                }
            }
            return 0;
        }
    }

    /** One instance holding a fleet's bitmaps: heap, list queries, restart from the state directory. */
    @Command(name = "scale", mixinStandardHelpOptions = true,
            description = {"One destination (in-process broker, query API) loaded with TARGETS migrations of "
                + "BITMAPS-PER-TARGET small bitmaps each (default 10,000 x 10 = 100,000): heap after GC, GET "
                + "/v1/targets and one target's list (median of 5), state directory size, and the time from a "
                + "restart on that state directory to ready and to the first complete list."})
    static final class Scale implements Callable<Integer> {
        @Option(names = "--targets", defaultValue = "" + ScaleBench.DEFAULT_TARGETS,
                description = "VMs, one migration each (default: ${DEFAULT-VALUE}).")
        int targets;

        @Option(names = "--bitmaps-per-target", defaultValue = "" + ScaleBench.DEFAULT_BITMAPS_PER_TARGET,
                description = "Bitmaps of each migration (default: ${DEFAULT-VALUE}).")
        int perTarget;

        @Override
        public Integer call() throws Exception {
            ScaleBench.run(targets, perTarget, new PrintStream(System.out, true));
            return 0;
        }
    }
}
