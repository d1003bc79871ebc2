package org.dbmstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code dbm demo}: the main job on the repository's sample images and QEMU stream, on an in-process
 * broker and destination, with the destination's sha256/count next to the values QEMU reported.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Migrates the bitmaps of the repository's sample qcow2 images and QEMU migration stream "
            + "through an in-process Kafka broker and destination topology, and compares every result with "
            + "the sha256/count QEMU reported (testdata/qemu/expected)."})
final class DemoCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> IMAGES = List.of("img1", "img2", "mig-before", "dst1");
    private static final String STREAM = "mig1-min.stream";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final Path testdata = testdata();
        final Map<String, JsonNode> qemu = qemuAnswers(testdata);
        final List<Path> images = new ArrayList<>();
        IMAGES.forEach(i -> images.add(testdata.resolve("images").resolve(i + ".qcow2.gz")));
        // a QEMU stream is a whole migration of its own; the images travel together in another
        final List<List<Path>> migrations = List.of(images, List.of(testdata.resolve("streams").resolve(STREAM)));

        out.println("Starting an in-process Kafka broker and the destination topology...");
        out.flush();
        final List<Event> completed = new ArrayList<>();
        final List<MigrationOutcome> outcomes = new ArrayList<>();
        try (EmbeddedRuntime embedded = EmbeddedRuntime.startBroker()) {
            embedded.startDestination(Topics.DEFAULT_PREFIX, Map.of());
            final MigrationRunner runner = new MigrationRunner(embedded.bootstrapServers(), Topics.defaults(), Map.of());
            for (final List<Path> files : migrations) {
                try (SourceInputs inputs = SourceInputs.of(files, null)) {
                    final MigrationRequest request =
                            MigrationRequest.builder().target("demo").inputs(inputs.inputs()).build();
                    outcomes.add(runner.run(request, PublishListener.NONE, p -> {
                        out.printf("Published migration %s: %d bitmaps from %s (%d records); waiting for the "
                                + "destination...%n", p.migration(), p.bitmaps().size(), names(files), p.records());
                        out.flush();
                    }, Duration.ofMinutes(5), e -> {
                        if (e.getBody() instanceof BitmapCompleted) {
                            completed.add(e);
                        }
                    }).outcome());
                }
            }
        }
        out.println();
        final int differ = table(out, completed, qemu);
        out.println();
        final long done = outcomes.stream().filter(o -> o.status() == MigrationOutcome.Status.COMPLETED).count();
        final boolean ok = done == outcomes.size() && differ == 0 && completed.size() == qemu.size();
        out.printf("%d of %d migrations completed; %d of %d bitmaps completed, %d differ from QEMU.%s%n", done,
                outcomes.size(), completed.size(), qemu.size(), differ,
                ok ? " Every sha256 and count equals QEMU's." : "");
        outcomes.stream().filter(o -> o.status() != MigrationOutcome.Status.COMPLETED)
                .forEach(o -> out.println("  " + o.status() + ": " + o.reason()));
        out.flush();
        return ok ? 0 : 1;
    }

    private static int table(final PrintWriter out, final List<Event> completed, final Map<String, JsonNode> qemu) {
        out.printf("%-11s %-8s %6s %5s %10s  %-16s  %s%n", "NODE", "BITMAP", "GRAN", "ON", "COUNT", "SHA256", "QEMU");
        int differ = 0;
        completed.sort((a, b) -> (a.getNode() + "/" + a.getBitmap()).compareTo(b.getNode() + "/" + b.getBitmap()));
        for (final Event e : completed) {
            final BitmapCompleted c = (BitmapCompleted) e.getBody();
            final JsonNode q = qemu.get(e.getNode() + "/" + e.getBitmap());
            final boolean same = q != null && q.get("sha256").asText().equals(c.getSha256())
                    && q.get("count").asLong() == c.getCount();
            differ += same ? 0 : 1;
            out.printf("%-11s %-8s %6s %5s %10d  %-16s  %s%n", e.getNode(), e.getBitmap(),
                    ReportPrinter.human(c.getGranularity()), c.getEnabled() ? "yes" : "no", c.getCount(),
                    c.getSha256().substring(0, 16), same ? "same" : q == null ? "not reported by QEMU"
                            : "DIFFERS: " + q.get("count").asLong() + " " + q.get("sha256").asText());
        }
        return differ;
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
