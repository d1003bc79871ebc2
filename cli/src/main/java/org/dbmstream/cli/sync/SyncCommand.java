package org.dbmstream.cli.sync;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dbmstream.bitmap.ReplicaNames;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.cli.ArgumentChecks;
import org.dbmstream.cli.ChunkSizeOption;
import org.dbmstream.cli.EmbeddedRuntime;
import org.dbmstream.cli.KafkaOptions;
import org.dbmstream.cli.NamingOptions;
import org.dbmstream.cli.NbdInputs;
import org.dbmstream.cli.SourceInputs;
import org.dbmstream.cli.WideOption;
import org.dbmstream.serdes.ServiceCheck;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.sync.RoundResult;
import org.dbmstream.source.sync.SyncException;
import org.dbmstream.source.sync.SyncSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dbm sync}: keeps a target's replica equal to its sources round after round (DESIGN.md section 12):
 * unchanged bitmaps publish nothing, changed ones a delta of their changed chunks, new ones go whole, and
 * bitmaps gone at the source are removed from the replica.
 */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Keeps the replica of a target equal to the bitmaps of qcow2 images and NBD exports, round after "
            + "round: unchanged bitmaps publish nothing, changed ones a delta of their changed chunks, new ones go "
            + "whole, and replica bitmaps of these nodes that the source no longer has are removed.",
            "A round ends when the destination has completed or refused everything it published (a refused delta "
            + "goes again whole in the same round). What the replica has is remembered on the <prefix>sync topic.",
            "Without --bootstrap-servers it starts a Kafka broker and the destination in-process."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every round left every bitmap's replica equal to its source (also after SIGTERM, which "
            + "ends the current round first)", "1:a bitmap or a round failed (the reason is printed)",
            "2:bad arguments or inputs (nothing published)"})
public final class SyncCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "SOURCE", description = "qcow2 images or NBD exports "
            + "(nbd://HOST[:PORT]/EXPORT?bitmap=NAME, nbd+unix:///EXPORT?socket=PATH&bitmap=NAME), read every round.")
    List<Path> sources = new ArrayList<>();

    @Mixin
    NbdInputs nbd = new NbdInputs();

    @Mixin
    NamingOptions naming = new NamingOptions();

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--target", paramLabel = "NAME", defaultValue = "default",
            description = "Destination VM/host whose replica is kept current (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--every", paramLabel = "DURATION",
            description = "Start a round this often (30s, 5m, PT1H); rounds run until --rounds or SIGTERM.")
    Duration every;

    @Option(names = "--rounds", paramLabel = "N",
            description = "Stop after N rounds (default: 1 without --every, no limit with it).")
    Integer rounds;

    @Option(names = "--no-prune", description = "Keep replica bitmaps the source no longer has (default: remove them).")
    boolean noPrune;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "How long a round waits for the destination (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--max-bandwidth", paramLabel = "BYTES_PER_S", defaultValue = "0",
            description = "Rate limit like QEMU's max-bandwidth, e.g. 50M (default: unlimited).")
    String maxBandwidth;

    @Option(names = "--source-id", paramLabel = "ID", description = "Source id on every chunk (default: sync:<target>).")
    String sourceId;

    @Option(names = "--json", description = "One JSON object per bitmap and per round.")
    boolean json;

    @Mixin
    WideOption wide = new WideOption();

    /** QEMU's 1K by default: a delta sends each changed chunk whole, so its bytes grow with the width. */
    @Mixin
    ChunkSizeOption chunkSize = new ChunkSizeOption();

    @Override
    public Integer call() throws Exception {
        if (rounds != null && rounds < 1) {
            throw new ParameterException(spec.commandLine(), "--rounds must be at least 1: " + rounds);
        }
        if (every != null && (every.isZero() || every.isNegative())) {
            throw new ParameterException(spec.commandLine(), "--every must be positive: " + every);
        }
        ArgumentChecks.name(spec, "--target", ReplicaNames.Kind.TARGET, target);
        naming.checkNames(spec);
        int limit = rounds != null ? rounds : every == null ? 1 : Integer.MAX_VALUE;
        Map<String, String> extra = kafka.clientConfig(spec);
        long rateLimit = ArgumentChecks.size(spec, "--max-bandwidth", maxBandwidth);
        // the first round's inputs are checked before a broker starts or anything is published
        try (SourceInputs first = read()) {
            request(first);
        }
        RoundPrinter printer = new RoundPrinter(spec.commandLine().getOut(), json, wide.wide);
        if (kafka.bootstrapServers() != null) {
            return run(kafka.bootstrapServers(), extra, rateLimit, limit, printer);
        }
        try (EmbeddedRuntime embedded = EmbeddedRuntime.startBroker()) {
            embedded.startDestination(kafka.topicPrefix(), extra);
            return run(embedded.bootstrapServers(), extra, rateLimit, limit, printer);
        }
    }

    private int run(String servers, Map<String, String> extra, long rateLimit, int limit, RoundPrinter printer)
            throws Exception {
        ServiceCheck.check(servers, extra);
        SyncSession.Settings settings = new SyncSession.Settings(servers, kafka.topics(), extra, target,
                sourceId != null ? sourceId : "sync:" + target, timeout, !noPrune, rateLimit,
                chunkSize.orElse(ChunkSize.QEMU));
        PrintWriter err = spec.commandLine().getErr();
        boolean failed = false;
        try (RoundLoop loop = RoundLoop.start(every); SyncSession session = SyncSession.open(settings)) {
            for (int n = 1; n <= limit && !loop.stopping(); n++) {
                loop.roundStarts();
                try (SourceInputs inputs = read()) {
                    RoundResult result = session.round(request(inputs));
                    printer.print(result);
                    failed |= !result.ok();
                } catch (SyncException | SourceInputs.BadInputException | ParameterException e) {
                    err.println("dbm sync: round " + n + " failed: " + e.getMessage());
                    err.flush();
                    failed = true;
                }
                if (n < limit) {
                    loop.awaitNext();
                }
            }
        }
        return failed ? 1 : 0;
    }

    /** The sources as they are now; an unreadable one is a bad argument (its message names it). */
    private SourceInputs read() throws IOException {
        try {
            return SourceInputs.of(sources, naming.node(), nbd);
        } catch (SourceInputs.BadInputException | IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private MigrationRequest request(SourceInputs inputs) throws IOException {
        MigrationRequest.Builder b = MigrationRequest.builder().target(target).inputs(inputs.inputs()).replace(true);
        naming.applyTo(spec, b);
        if (inputs.inputs().stream().anyMatch(i -> i instanceof org.dbmstream.source.MigrationInput.MigrationStreamFile)) {
            throw new ParameterException(spec.commandLine(), "a QEMU migration stream is one moment's bitmaps, not a "
                    + "source to keep in sync: give qcow2 images or NBD exports");
        }
        return b.build();
    }
}
