package org.dbmstream.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.bitmap.mapping.MappingException;
import org.dbmstream.bitmap.source.SelectionException;
import org.dbmstream.source.ByteSize;
import org.dbmstream.source.MigrationFingerprint;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationOutcome;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.WritesFile;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.ReplicaNames;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dbm migrate}: publishes the bitmaps of qcow2 images / QEMU migration streams as one migration,
 * then follows the destination's events until the migration completes, is cancelled or fails.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Publishes the dirty bitmaps of qcow2 images and QEMU migration streams (plain or gzip) "
            + "as one migration, then prints the destination's events until it completes.",
            "Without --bootstrap-servers it starts a Kafka broker and the destination in-process."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the migration completed", "1:it was cancelled or failed (the reason is printed), "
            + "or did not finish in time", "2:bad arguments"})
final class MigrateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "IMAGE_OR_STREAM", description = "qcow2 images, QEMU migration streams, "
            + "or NBD exports: nbd://HOST[:PORT]/EXPORT?bitmap=NAME, nbd+unix:///EXPORT?socket=PATH&bitmap=NAME.")
    List<Path> files = new ArrayList<>();

    @Mixin
    NbdInputs nbd = new NbdInputs();

    @Mixin
    ChunkSizeOption chunkSize = new ChunkSizeOption();

    @ArgGroup(exclusive = false, multiplicity = "0..*", heading = "%nRaw bitmap files (repeatable):%n")
    List<RawBitmap> raw = new ArrayList<>();

    /** A bitmap in QEMU's serialized form (bit k = bit k%8 of byte k/8) with what the file cannot say. */
    static final class RawBitmap {
        @Option(names = "--raw", required = true, paramLabel = "FILE", description = "Raw bitmap file.")
        Path file;

        @Option(names = "--raw-node", required = true, paramLabel = "NODE", description = "Its node name.")
        String node;

        @Option(names = "--raw-name", required = true, paramLabel = "NAME", description = "Its bitmap name.")
        String name;

        @Option(names = "--granularity", required = true, paramLabel = "SIZE", description = "e.g. 64K.")
        String granularity;

        @Option(names = "--disk-size", required = true, paramLabel = "SIZE", description = "Disk size, e.g. 10G.")
        String diskSize;

        @Option(names = "--raw-enabled", description = "The bitmap records writes (START's enabled flag).")
        boolean enabled;

        @Option(names = "--raw-persistent", description = "The bitmap is persistent.")
        boolean persistent;

        MigrationInput input(final CommandSpec spec) {
            ArgumentChecks.readable(spec, "--raw", file);
            ArgumentChecks.name(spec, "--raw-node", ReplicaNames.Kind.NODE, node);
            ArgumentChecks.name(spec, "--raw-name", ReplicaNames.Kind.BITMAP, name);
            final long g = ArgumentChecks.size(spec, "--granularity", granularity);
            final long size = ArgumentChecks.size(spec, "--disk-size", diskSize);
            try {
                return new MigrationInput.RawBitmapFile(file, node, name, Granularity.of(g), size, enabled, persistent);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--raw " + file + ": " + e.getMessage(), e);
            }
        }
    }

    @Option(names = "--migration-id", paramLabel = "ID", description = "Migration id (default: a fresh mig-<uuid>).")
    String migrationId;

    @Option(names = "--target", defaultValue = "default",
            description = "Destination VM/host whose nodes the bitmaps land on (default: ${DEFAULT-VALUE}).")
    String target;

    @Mixin
    NamingOptions naming = new NamingOptions();

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--max-bandwidth", paramLabel = "BYTES_PER_S", defaultValue = "0",
            description = "Rate limit like QEMU's max-bandwidth, e.g. 50M (default: unlimited).")
    String maxBandwidth;

    @Option(names = "--transactional", description = "Publish the migration's chunks in one transaction.")
    boolean transactional;

    @Option(names = "--replace", description = {"Re-replication: each bitmap replaces a completed one of the same name "
        + "on the target when it completes (queries answer with the old one until then). Default: QEMU's rule, "
        + "such a bitmap fails the migration as 'already exists'."})
    boolean replace;

    @Option(names = "--timeout", defaultValue = "10m", paramLabel = "DURATION",
            description = "How long to wait for the destination's final event: 30s, 10m, 2h or ISO-8601 "
                    + "such as PT10M (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "One JSON object per event.")
    boolean json;

    @Option(names = "--switchover", description = "Start the destination VM right after the STARTs, as QEMU's "
            + "migrate-start-postcopy at once (a postcopy stream switches over at its RUN command anyway).")
    boolean switchover;

    @Option(names = "--writes", paramLabel = "FILE", description = "Guest writes on the destination after the "
            + "switchover (so with --switchover or a QEMU postcopy stream), one per line: NODE OFFSET LENGTH in bytes; "
            + "published to the writes topic, and the final state printed once the destination applied them all.")
    Path writesFile;

    /** Whether the migration switches over: its final state is then awaited and printed. */
    private boolean switches;

    /** The writes of {@link #writesFile}, read and checked before anything starts. */
    private List<WritesFile.Write> writes = List.of();

    @Override
    public Integer call() throws Exception {
        if (files.isEmpty() && raw.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give at least one image, stream or --raw bitmap");
        }
        // every argument and input is checked here, before a broker or a destination starts
        ArgumentChecks.name(spec, "--target", ReplicaNames.Kind.TARGET, target);
        if (migrationId != null) {
            ArgumentChecks.name(spec, "--migration-id", ReplicaNames.Kind.MIGRATION_ID, migrationId);
        }
        naming.checkNames(spec);
        final Map<String, String> extra = kafka.clientConfig(spec);
        final long rateLimit = ArgumentChecks.size(spec, "--max-bandwidth", maxBandwidth);
        try {
            writes = writesFile == null ? List.of() : WritesFile.read(ArgumentChecks.readable(spec, "--writes",
                    writesFile));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        try (SourceInputs inputs = inputs()) {
            final List<MigrationInput> all = new ArrayList<>(inputs.inputs());
            for (final RawBitmap r : raw) {
                all.add(r.input(spec));
            }
            final MigrationRequest.Builder builder = request(all);
            final MigrationFingerprint.Content content;
            try {
                content = MigrationFingerprint.of(builder.build());
            } catch (IllegalArgumentException | IOException | java.io.UncheckedIOException | SelectionException
                    | MappingException e) {
                // an input that cannot be read whole (a corrupt image, a broken stream) or that QEMU's selection
                // refuses (an inconsistent bitmap, a source mapping that does not fit) is a bad input: found
                // while planning, before anything is published
                throw new ParameterException(spec.commandLine(), InspectCommand.oneLine(e), e);
            }
            if (content.bitmaps().isEmpty()) {
                throw new ParameterException(spec.commandLine(), "nothing to migrate: no bitmap of "
                        + describeInputs() + (naming.mapping != null ? " is selected by --mapping " + naming.mapping : " exists")
                        + "; nothing was published");
            }
            final MigrationRequest request = builder.fingerprint(content.fingerprint()).build();
            WriteChecks.check(spec, writesFile, writes, content, request.destinationMapping());
            switches = content.switchover();
            if (kafka.bootstrapServers != null) {
                return migrate(kafka.bootstrapServers, request, extra, rateLimit);
            }
            try (EmbeddedRuntime embedded = EmbeddedRuntime.startBroker()) {
                embedded.startDestination(kafka.topicPrefix, extra);
                return migrate(embedded.bootstrapServers(), request, extra, rateLimit);
            }
        }
    }

    /** The inputs, checked: a file that cannot be read is a bad argument (exit 2) named in the message. */
    private SourceInputs inputs() throws IOException {
        try {
            return SourceInputs.of(files, naming.node, nbd);
        } catch (SourceInputs.BadInputException | IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /** The inputs as a message names them: the files as given. */
    private String describeInputs() {
        final List<String> names = new ArrayList<>();
        files.forEach(f -> names.add(f.toString()));
        raw.forEach(r -> names.add(r.file.toString()));
        return String.join(", ", names);
    }

    private MigrationRequest.Builder request(final List<MigrationInput> inputs) throws IOException {
        final MigrationRequest.Builder b = MigrationRequest.builder().target(target).inputs(inputs).replace(replace)
                .switchover(switchover).chunkSize(chunkSize.orElse(ChunkSize.KAFKA_DEFAULT));
        if (migrationId != null) {
            b.migrationId(migrationId);
        }
        naming.applyTo(spec, b);
        return b;
    }

    private int migrate(final String servers, final MigrationRequest request, final Map<String, String> extra,
            final long rateLimit) throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final PublishListener progress = json ? PublishListener.NONE : ProgressRenderers.forConsole(
                new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        final FinalStates finals = new FinalStates();
        // while the destination loads, a line every few seconds says how far it is (never with --json)
        final WaitProgress[] waiting = {null};
        final MigrationRunner.Result result;
        try {
            result = new MigrationRunner(servers, kafka.topics(), extra)
                .transactional(transactional).rateLimit(rateLimit).writes(writes).awaitFinalState(switches)
                .onRetry(existing -> {
                    if (!json) {
                        out.printf("Migration %s was published before with the same content (%s): "
                                + "reporting its outcome%n", request.migrationId(), existing.describe());
                        out.flush();
                    }
                })
                .run(request, progress, published -> {
                    if (!json) {
                        out.printf("Published migration %s to target '%s': %d bitmap(s), %d records, %s%n",
                                published.migration(), published.target(), published.bitmaps().size(),
                                published.records(), ByteSize.of(published.bytes()));
                        out.flush();
                        if (!published.bitmaps().isEmpty()) {
                            waiting[0] = WaitProgress.start("dbm migrate", err, published.bitmaps().size(), timeout);
                        }
                    }
                }, timeout, e -> {
                    finals.accept(e);
                    if (waiting[0] != null && EventFormat.finishesBitmap(e)) {
                        waiting[0].bitmapFinished();
                    }
                    out.println(json ? EventFormat.json(e) : EventFormat.line(e));
                    out.flush();
                });
        } catch (MigrationRunner.MigrationIdTakenException e) {
            err.println("dbm migrate: " + e.getMessage());
            return 2;
        } finally {
            if (waiting[0] != null) {
                waiting[0].close();
            }
        }
        final MigrationOutcome outcome = result.outcome();
        if (outcome.status() == MigrationOutcome.Status.COMPLETED) {
            if (finals.postcopy() || !writes.isEmpty()) {
                // the state after the switchover and the writes: what the destination holds now
                finals.completed().forEach(b -> out.println(json ? FinalStates.json(b) : FinalStates.line(b)));
                out.flush();
            }
            return 0;
        }
        err.println("dbm migrate: migration " + result.published().migration() + " "
                + outcome.status().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + outcome.reason());
        return 1;
    }
}
