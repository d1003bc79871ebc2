package org.dbmstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationOutcome;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.PublishListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code dbm demo}: the main job on the repository's sample images and QEMU stream, on an in-process
 * broker and destination, with the destination's sha256/count next to the values QEMU reported.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Migrates the bitmaps of the repository's sample qcow2 images and QEMU migration stream "
            + "through an in-process Kafka broker and destination topology, and prints per bitmap the count and "
            + "sha256 the destination computed next to the ones QEMU reported (testdata/qemu/expected).",
            "ENABLED: the bitmap records writes (QEMU's 'recording'); RESULT: equal when count and sha256 are "
                + "QEMU's."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every migration completed and every bitmap equals QEMU's", "1:otherwise"})
final class DemoCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> IMAGES = List.of("img1", "img2", "mig-before", "dst1");
    private static final String STREAM = "mig1-min.stream";
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    @Spec
    CommandSpec spec;

    @Mixin
    WideOption wide;

    @Option(names = "--json", description = "One JSON object per bitmap (the destination's and QEMU's values in "
            + "full), then a summary object; progress goes to stderr.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        // progress is for people: with --json it goes to stderr, so that stdout stays JSON
        final PrintWriter progress = json ? spec.commandLine().getErr() : out;
        final Path testdata = testdata();
        final Map<String, JsonNode> qemu = qemuAnswers(testdata);
        final List<Path> images = new ArrayList<>();
        IMAGES.forEach(i -> images.add(testdata.resolve("images").resolve(i + ".qcow2.gz")));
        // a QEMU stream is a whole migration of its own; the images travel together in another
        final List<List<Path>> migrations = List.of(images, List.of(testdata.resolve("streams").resolve(STREAM)));

        progress.println("Starting an in-process Kafka broker and the destination topology...");
        progress.flush();
        final List<Event> completed = new ArrayList<>();
        final List<MigrationOutcome> outcomes = new ArrayList<>();
        try (EmbeddedRuntime embedded = EmbeddedRuntime.startBroker()) {
            embedded.startDestination(Topics.DEFAULT_PREFIX, Map.of());
            final MigrationRunner runner = new MigrationRunner(embedded.bootstrapServers(), Topics.defaults(), Map.of());
            for (final List<Path> files : migrations) {
                outcomes.add(migrate(runner, files, progress, completed));
            }
        }
        final List<Row> rows = rows(completed, qemu);
        final long differ = rows.stream().filter(r -> !r.equal()).count();
        final long done = outcomes.stream().filter(o -> o.status() == MigrationOutcome.Status.COMPLETED).count();
        final boolean ok = done == outcomes.size() && differ == 0 && completed.size() == qemu.size();
        if (json) {
            rows.forEach(r -> out.println(r.json()));
            out.println(JSON.createObjectNode().put("migrations", outcomes.size()).put("completed", done)
                    .put("bitmaps", qemu.size()).put("bitmaps_completed", completed.size()).put("differ", differ)
                    .put("all_equal", ok));
        } else {
            out.println();
            final TextTable table = new TextTable("NODE", "BITMAP", ">GRAN", "ENABLED", ">COUNT", ">QEMU COUNT",
                    "SHA256", "QEMU SHA256", "RESULT");
            rows.forEach(r -> table.add(r.node(), r.bitmap(), ReportPrinter.human(r.granularity()),
                    r.enabled() ? "yes" : "no", Long.toString(r.count()), r.qemuCount() < 0 ? "-"
                            : Long.toString(r.qemuCount()), TextTable.digest(r.sha256(), wide.wide),
                    TextTable.digest(r.qemuSha256(), wide.wide), r.verdict()));
            table.print(out);
            out.println();
            out.printf("%d of %d migrations completed; %d of %d bitmaps completed, %d differ from QEMU.%s%n", done,
                    outcomes.size(), completed.size(), qemu.size(), differ,
                    ok ? " Every sha256 and count equals QEMU's." : "");
        }
        outcomes.stream().filter(o -> o.status() != MigrationOutcome.Status.COMPLETED)
                .forEach(o -> progress.println("  " + o.status() + ": " + o.reason()));
        out.flush();
        progress.flush();
        return ok ? 0 : 1;
    }

    /** One migration of {@code files}, its BitmapCompleted events added to {@code completed}. */
    private static MigrationOutcome migrate(final MigrationRunner runner, final List<Path> files,
            final PrintWriter progress, final List<Event> completed) throws Exception {
        final WaitProgress[] waiting = {null};
        try (SourceInputs inputs = SourceInputs.of(files, null)) {
            final MigrationRequest request = MigrationRequest.builder().target("demo").inputs(inputs.inputs()).build();
            return runner.run(request, PublishListener.NONE, p -> {
                progress.printf("Published migration %s: %d bitmaps from %s (%d records); waiting for the "
                        + "destination...%n", p.migration(), p.bitmaps().size(), names(files), p.records());
                progress.flush();
                waiting[0] = WaitProgress.start("dbm demo", progress, p.bitmaps().size(), TIMEOUT);
            }, TIMEOUT, e -> {
                if (waiting[0] != null && EventFormat.finishesBitmap(e)) {
                    waiting[0].bitmapFinished();
                }
                if (e.getBody() instanceof BitmapCompleted) {
                    completed.add(e);
                }
            }).outcome();
        } finally {
            if (waiting[0] != null) {
                waiting[0].close();
            }
        }
    }

    /**
     * One bitmap: the destination's values next to QEMU's ({@code qemuCount} -1 and {@code qemuSha256} null
     * when QEMU reported none for it).
     */
    private record Row(String node, String bitmap, long granularity, boolean enabled, long count, String sha256,
            long qemuCount, String qemuSha256) {
        boolean equal() {
            return count == qemuCount && sha256.equals(qemuSha256);
        }

        String verdict() {
            return equal() ? "equal" : qemuSha256 == null ? "no QEMU value" : "DIFFERS";
        }

        String json() {
            final ObjectNode o = JSON.createObjectNode().put("node", node).put("name", bitmap)
                    .put("granularity", granularity).put("enabled", enabled).put("count", count).put("sha256", sha256);
            if (qemuSha256 == null) {
                o.putNull("qemu_count").putNull("qemu_sha256");
            } else {
                o.put("qemu_count", qemuCount).put("qemu_sha256", qemuSha256);
            }
            return o.put("equal", equal()).toString();
        }
    }

    private static List<Row> rows(final List<Event> completed, final Map<String, JsonNode> qemu) {
        final List<Row> rows = new ArrayList<>();
        for (final Event e : completed) {
            final BitmapCompleted c = (BitmapCompleted) e.getBody();
            final JsonNode q = qemu.get(e.getNode() + "/" + e.getBitmap());
            rows.add(new Row(e.getNode(), e.getBitmap(), c.getGranularity(), c.getEnabled(), c.getCount(),
                    c.getSha256(), q == null ? -1 : q.get("count").asLong(), q == null ? null : q.get("sha256").asText()));
        }
        rows.sort((a, b) -> (a.node() + "/" + a.bitmap()).compareTo(b.node() + "/" + b.bitmap()));
        return rows;
    }

    private static String names(final List<Path> files) {
        return String.join(", ", files.stream().map(p -> p.getFileName().toString()).toList());
    }

    /** QEMU's own answers: per image bitmap (node = image name) and per stream bitmap (node disk0). */
    private static Map<String, JsonNode> qemuAnswers(final Path testdata) throws IOException {
        final Map<String, JsonNode> byKey = new HashMap<>();
        for (final String line : Files.readAllLines(testdata.resolve("expected/sha256.jsonl"))) {
            final JsonNode n = JSON.readTree(line);
            final String image = n.get("image").asText().replace(".qcow2", "");
            if (IMAGES.contains(image)) {
                byKey.put(image + "/" + n.get("name").asText(), n);
            }
        }
        for (final String line : Files.readAllLines(testdata.resolve("expected/streams-sha256.jsonl"))) {
            final JsonNode n = JSON.readTree(line);
            byKey.put(n.get("node").asText() + "/" + n.get("name").asText(), n);
        }
        return byKey;
    }

    /** testdata/qemu of this checkout: from the launcher's dbm.home, or found upwards from the working directory. */
    static Path testdata() {
        final List<Path> roots = new ArrayList<>();
        final String home = System.getProperty("dbm.home");
        if (home != null) {
            roots.add(Path.of(home));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            roots.add(p);
        }
        for (final Path root : roots) {
            if (Files.isDirectory(root.resolve("testdata/qemu/images"))) {
                return root.resolve("testdata/qemu");
            }
        }
        throw new IllegalStateException("the sample images (testdata/qemu) were not found; run ./dbm demo from the "
                + "dbm-stream checkout");
    }
}
