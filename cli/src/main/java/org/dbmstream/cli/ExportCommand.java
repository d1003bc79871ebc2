package org.dbmstream.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dbmstream.bitmap.ReplicaNames;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.export.QemuImageStore;
import org.dbmstream.export.QemuStreamExport;
import org.dbmstream.export.ReplicaBitmap;
import org.dbmstream.export.ReplicaClient;
import org.dbmstream.export.ReplicaInputs;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationPlan;
import org.dbmstream.source.MigrationPlanner;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.PublishedBitmap;
import org.dbmstream.source.TemporaryFiles;
import org.dbmstream.source.TextFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dbm export}: writes bitmaps (a replica's, read through the destination's query API, or those of
 * qcow2 images and QEMU streams) as a QEMU migration stream that QEMU loads with {@code migrate-incoming}.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes dirty bitmaps as a QEMU migration stream with the dirty-bitmap section, as QEMU's own "
            + "save side writes it; a QEMU started with -incoming defer loads it after "
            + "migrate-set-capabilities dirty-bitmaps=on and migrate-incoming \"exec:cat FILE\".",
            "The bitmaps come from a replica (--replica URL --target T, through the destination's query API) or "
            + "from qcow2 images and QEMU migration streams."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the stream was written", "1:a bitmap could not be read or selected (nothing is written)",
            "2:bad arguments"},
        footer = {"%nWith --into-qcow2, exit 1 also when QEMU is missing, cannot open the image (missing, locked, not "
            + "qcow2) or refuses a bitmap (QEMU's message, e.g. a bitmap of that name already exists)."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "IMAGE_OR_STREAM", description = "qcow2 images or QEMU migration streams.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--replica", paramLabel = "URL", description = "The destination's query API, e.g. http://dest:8080.")
    URI replica;

    @Option(names = "--target", paramLabel = "TARGET", description = "With --replica: the target whose bitmaps to export.")
    String target;

    @Option(names = "--node", paramLabel = "NODE",
            description = "With --replica: only this node's bitmaps; with one image: its node name "
                + "(default: the file name without extension).")
    String node;

    @Option(names = "--bitmap", paramLabel = "NAME", description = "With --replica: only these bitmaps (repeatable).")
    List<String> bitmaps = new ArrayList<>();

    @Option(names = "--mapping", paramLabel = "FILE",
            description = "QMP block-bitmap-mapping JSON applied as QEMU's source side does (selects and aliases).")
    Path mapping;

    @Option(names = "--machine", defaultValue = "none", paramLabel = "TYPE",
            description = "Machine type of the destination QEMU, written in the stream's configuration section "
                + "(default: ${DEFAULT-VALUE}; QEMU refuses a stream for another machine type).")
    String machine;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "The stream file; - for stdout "
            + "(optional with --into-qcow2).")
    String output;

    @Option(names = "--into-qcow2", paramLabel = "IMAGE",
            description = "Also store the bitmaps into this existing qcow2 image: a QEMU (" + QemuImageStore.QEMU
                + " -machine none -incoming defer) opens it as the bitmaps' node, loads the stream and stores the "
                + "persistent bitmaps when it quits (only persistent ones: QEMU keeps the others in memory).")
    Path intoQcow2;

    @Mixin
    ChunkSizeOption chunkSize = new ChunkSizeOption();

    @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "With --replica: how long to wait for the query API: 30s, 10m or ISO-8601 such as PT1M "
                + "(default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    ApiOptions api;

    @Override
    public Integer call() throws Exception {
        if ((replica == null) == files.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give either --replica URL --target T, or images/streams");
        }
        if (replica != null && target == null) {
            throw new ParameterException(spec.commandLine(), "--replica needs --target");
        }
        if (replica != null) {
            ArgumentChecks.name(spec, "--target", ReplicaNames.Kind.TARGET, target);
        }
        if (output == null && intoQcow2 == null) {
            throw new ParameterException(spec.commandLine(), "give -o FILE (the stream), --into-qcow2 IMAGE, or both");
        }
        final OutputTarget out = output == null ? null : ArgumentChecks.output(spec, "-o", output);
        if (out != null && out.kind() != OutputTarget.Kind.REPLACE && intoQcow2 != null) {
            throw new ParameterException(spec.commandLine(), "--into-qcow2 needs the stream in a file: -o FILE or no -o");
        }
        checkNotAnInput(out);
        if (replica == null && (!bitmaps.isEmpty() || target != null)) {
            throw new ParameterException(spec.commandLine(), "--target and --bitmap belong to --replica; select "
                    + "the bitmaps of images with --mapping");
        }
        final ReplicaClient client = replica == null ? null : api.client(replica, timeout, "--replica");
        if (client != null && intoQcow2 != null && node == null && mapping == null) {
            // a target's bitmaps of several nodes cannot go into one image: said before any bitmap is fetched
            final List<String> nodes = client.bitmaps(target).stream()
                    .filter(b -> b.complete() && (bitmaps.isEmpty() || bitmaps.contains(b.name())))
                    .map(ReplicaBitmap::node).distinct().toList();
            if (nodes.size() > 1) {
                IntoQcow2.oneNode(spec, nodes);
            }
        }
        final List<MigrationInput> inputs = new ArrayList<>();
        try (SourceInputs images = SourceInputs.of(files, replica == null ? node : null);
                ReplicaInputs fromReplica = replica == null ? null : ReplicaInputs.fetch(
                        client, target, node, bitmaps, this::progress)) {
            inputs.addAll(images.inputs());
            if (fromReplica != null) {
                inputs.addAll(fromReplica.inputs());
                if (inputs.isEmpty()) {
                    throw new IllegalArgumentException("target '" + target + "' has no complete bitmap"
                            + (node != null ? " on node '" + node + "'" : "") + " on " + replica);
                }
            }
            // QEMU's own 1 KiB unless asked: the stream is then byte for byte what QEMU's save side writes
            final MigrationRequest.Builder request = MigrationRequest.builder().target(target != null ? target : "export")
                    .inputs(inputs).chunkSize(chunkSize.orElse(ChunkSize.QEMU));
            if (mapping != null) {
                request.sourceMapping(mappingFile());
            }
            return write(request.build(), out);
        }
    }

    /** The --mapping file, read strictly; a bad one is a bad argument naming it. */
    private AliasMap mappingFile() throws IOException {
        ArgumentChecks.readable(spec, "--mapping", mapping);
        try {
            return AliasMap.fromJson(TextFiles.readUtf8(mapping));
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), "--mapping " + mapping + ": "
                    + e.getMessage().replace(mapping + ": ", ""), e);
        }
    }

    /** Writing the stream over one of its own inputs would destroy the input (a careless {@code -o disk.qcow2}). */
    private void checkNotAnInput(final OutputTarget target) throws IOException {
        if (target == null || target.path() == null || !Files.exists(target.path())) {
            return;
        }
        for (final Path in : files) {
            if (Files.exists(in) && Files.isSameFile(in, target.path())) {
                throw new ParameterException(spec.commandLine(), "-o " + output + " is the input " + in
                        + ": the stream would replace it");
            }
        }
    }

    /** A step of a long export on stderr (stdout may be the stream). */
    private void progress(final String line) {
        spec.commandLine().getErr().println("dbm export: " + line);
        spec.commandLine().getErr().flush();
    }

    private int write(final MigrationRequest request, final OutputTarget target) throws IOException,
            InterruptedException {
        if (intoQcow2 == null) {
            return writeStream(request, target);
        }
        final IntoQcow2 into = new IntoQcow2(intoQcow2, machine, timeout, spec.commandLine().getErr());
        // the selection, as the stream would carry it, is checked against the image before anything is written
        try (MigrationPlan plan = MigrationPlanner.plan(request)) {
            into.check(spec, plan.bitmaps());
        }
        if (target != null) {
            writeStream(request, target);
            return into.store(target.path(), lastWritten);
        }
        // a stream only QEMU reads, removed afterwards (SIGTERM included): nothing to tell about it
        final Path stream = TemporaryFiles.create("dbm-export-", ".stream");
        try {
            lastWritten = OutputTarget.of(stream.toString())
                    .write(out -> QemuStreamExport.write(request, out, machine));
            return into.store(stream, lastWritten);
        } finally {
            TemporaryFiles.delete(stream);
        }
    }

    /** The bitmaps the last {@link #writeStream} wrote. */
    private List<PublishedBitmap> lastWritten = List.of();

    private int writeStream(final MigrationRequest request, final OutputTarget target) throws IOException {
        final PrintWriter err = spec.commandLine().getErr();
        // a regular file is replaced only once the whole stream is written: a failed export leaves no half stream
        final List<PublishedBitmap> written = target.write(out -> QemuStreamExport.write(request, out, machine));
        for (final PublishedBitmap b : written) {
            err.printf("exported %s/%s as %s/%s: granularity %d, disk %d bytes, enabled=%s persistent=%s%n",
                    b.nodeName(), b.bitmapName(), b.nodeAlias(), b.bitmapAlias(), b.granularity(), b.diskSize(),
                    b.enabled(), b.persistent());
        }
        err.printf("wrote %d bitmap(s) to %s (machine type '%s')%n", written.size(), target.name(), machine);
        err.flush();
        lastWritten = written;
        return 0;
    }
}
