package org.dbmstream.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Stores bitmaps into a qcow2 image the way only QEMU can: a QEMU without guest ({@code -machine none},
 * {@code -incoming defer}) opens the image as the stream's node, loads an exported migration stream with
 * {@code migrate-incoming}, and writes the <em>persistent</em> bitmaps into the image when it quits (QEMU keeps
 * the others in memory only). Afterwards {@code qemu-img info} must list every persistent one.
 */
public final class QemuImageStore {
    /** The programs used, and the Debian packages that have them. */
    public static final String QEMU = "qemu-system-x86_64";
    public static final String QEMU_IMG = "qemu-img";
    private static final String PACKAGES = "qemu-system-x86 and qemu-utils";
    /** QEMU's node names: a letter, then letters, digits, '-', '.', '_'; at most 31 characters. */
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,30}");
    private static final String FILE_NODE = "dbm-into-qcow2-file";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One bitmap as QEMU loaded it (count and sha256 by QEMU), and whether the image holds it now. */
    public record Loaded(String name, long granularity, long count, String sha256, boolean persistent,
            boolean recording, boolean stored) {
    }

    private final Path image;
    private final String machine;
    private final Duration timeout;
    private final Consumer<String> progress;

    /**
     * For {@code image} opened by a QEMU of machine type {@code machine}; {@code timeout} bounds each exchange
     * with QEMU (loading may take up to ten times as long); {@code progress} gets one line per step.
     */
    public QemuImageStore(final Path image, final String machine, final Duration timeout,
            final Consumer<String> progress) {
        this.image = image.toAbsolutePath();
        this.machine = machine;
        this.timeout = timeout;
        this.progress = progress;
    }

    /**
     * Checks what can be checked before anything is written: QEMU installed, the image an existing qcow2 that
     * no other process writes.
     */
    public void check() throws IOException, InterruptedException {
        for (final String program : List.of(QEMU, QEMU_IMG)) {
            if (find(program) == null) {
                throw new QemuException(program + " is not installed (not on PATH); --into-qcow2 lets QEMU store the "
                        + "bitmaps: install Debian's " + PACKAGES + " (apt-get install qemu-system-x86 qemu-utils)");
            }
        }
        if (!Files.isRegularFile(image)) {
            throw new QemuException("image " + image + " does not exist; create it first: qemu-img create -f qcow2 "
                    + image + " SIZE (the disk size of the bitmaps)");
        }
        final JsonNode info = imageInfo();
        if (!info.path("format").asText().equals("qcow2")) {
            throw new QemuException("image " + image + " is " + info.path("format").asText("not an image")
                    + "; QEMU stores bitmaps only in qcow2 images");
        }
    }

    /**
     * Checks, before any stream is written or QEMU started, that the image takes bitmaps {@code names} of node
     * {@code node} on a disk of {@code diskSize} bytes: a valid node name, the image's virtual size, and no
     * bitmap of those names in the image already (as {@code qemu-img info} lists them), which QEMU would only
     * report after loading the whole stream, under another error.
     */
    public void checkFits(final String node, final Collection<String> names, final long diskSize)
            throws IOException, InterruptedException {
        if (!NODE_NAME.matcher(node).matches()) {
            throw new QemuException("node '" + node + "' is not a valid QEMU node name (a letter, then letters, "
                    + "digits, '-', '.', '_'; at most 31): rename it with --mapping");
        }
        final JsonNode info = imageInfo();
        final long imageSize = info.path("virtual-size").asLong(-1);
        if (imageSize != diskSize) {
            // QEMU would load the bits into a bitmap of the image's size: another bitmap than the one exported
            throw new QemuException("image " + image + " has a virtual size of " + imageSize + " bytes, but the bitmaps "
                    + "are of a " + diskSize + "-byte disk: use an image of that size (qemu-img create -f qcow2 "
                    + image + " " + diskSize + ", or qemu-img resize)");
        }
        final List<String> clash = new ArrayList<>();
        info.path("format-specific").path("data").path("bitmaps").forEach(b -> {
            if (names.contains(b.path("name").asText())) {
                clash.add("'" + b.path("name").asText() + "'");
            }
        });
        if (!clash.isEmpty()) {
            throw new QemuException("image " + image + " already holds bitmap" + (clash.size() > 1 ? "s " : " ")
                    + String.join(", ", clash) + " (qemu-img info lists " + (clash.size() > 1 ? "them" : "it")
                    + "), and QEMU does not overwrite a bitmap: remove " + (clash.size() > 1 ? "them" : "it")
                    + " first (qemu-img bitmap --remove " + image + " NAME) or store into another image");
        }
    }

    /**
     * Loads {@code stream}, whose bitmaps {@code names} are all on node {@code node} of a disk of {@code diskSize}
     * bytes, and lets QEMU store them ({@link #checkFits} first).
     */
    public List<Loaded> store(final Path stream, final String node, final Collection<String> names,
            final long diskSize) throws IOException, InterruptedException {
        checkFits(node, names, diskSize);
        final Path work = Files.createTempDirectory("dbm-into-qcow2-");
        try {
            final Map<String, Loaded> loaded = runQemu(stream, node, names, work);
            final Map<String, JsonNode> inImage = new LinkedHashMap<>();
            imageInfo().path("format-specific").path("data").path("bitmaps")
                    .forEach(b -> inImage.put(b.path("name").asText(), b));
            final List<Loaded> out = new ArrayList<>();
            for (final Loaded l : loaded.values()) {
                final JsonNode stored = inImage.get(l.name());
                if (l.persistent() && stored == null) {
                    throw new QemuException("QEMU loaded persistent bitmap '" + l.name() + "' but did not store it in "
                            + image + " (qemu-img info does not list it)");
                }
                if (stored != null && stored.path("flags").toString().contains("in-use")) {
                    throw new QemuException("bitmap '" + l.name() + "' in " + image + " is flagged in-use: QEMU did "
                            + "not close the image cleanly");
                }
                out.add(new Loaded(l.name(), l.granularity(), l.count(), l.sha256(), l.persistent(), l.recording(),
                        l.persistent()));
            }
            return out;
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Map<String, Loaded> runQemu(final Path stream, final String node, final Collection<String> names,
            final Path work)
            throws IOException, InterruptedException {
        final Path qmpSocket = work.resolve("qmp.sock");
        final Path log = work.resolve("qemu.log");
        final List<String> cmd = List.of(QEMU, "-machine", machine, "-nodefaults", "-display", "none", "-S",
                "-incoming", "defer", "-qmp", "unix:" + qmpSocket + ",server=on,wait=off",
                "-blockdev", JSON.writeValueAsString(Map.of("driver", "file", "filename", image.toString(),
                        "node-name", FILE_NODE)),
                "-blockdev", JSON.writeValueAsString(Map.of("driver", "qcow2", "file", FILE_NODE, "node-name", node)));
        progress.accept("starting " + QEMU + " -machine " + machine + " -incoming defer with " + image + " as node '"
                + node + "'");
        final Process qemu = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitMonitor(qemu, qmpSocket, log);
            final Map<String, Loaded> loaded = new LinkedHashMap<>();
            try (QmpConnection qmp = QmpConnection.connect(qmpSocket, timeout)) {
                qmp.execute("migrate-set-capabilities", Map.of("capabilities",
                        List.of(Map.of("capability", "dirty-bitmaps", "state", true))));
                qmp.execute("migrate-incoming", Map.of("uri", "exec:cat '" + stream.toAbsolutePath().toString()
                        .replace("'", "'\\''") + "'"));
                awaitLoaded(qmp, node, log);
                try {
                    loaded.putAll(loadedBitmaps(qmp, node, names));
                } catch (QemuException e) {
                    // the stream loaded, but QEMU could not take the image over (e.g. "Could not reopen qcow2
                    // layer: Bitmap already exists: NAME"); its own message is in the log
                    throw new QemuException("QEMU loaded the stream but cannot store the bitmaps in " + image + " ("
                            + e.getMessage() + ")" + logTail(log));
                }
                for (final String name : names) {
                    if (!loaded.containsKey(name)) {
                        throw new QemuException("QEMU finished loading but has no bitmap '" + name + "' on node '"
                                + node + "'" + logTail(log));
                    }
                }
                progress.accept("QEMU loaded " + loaded.size() + " bitmap(s); quitting so that it stores the persistent "
                        + "ones in " + image);
                try {
                    qmp.execute("quit", Map.of());
                } catch (IOException e) {
                    // the monitor closes as QEMU exits
                }
            }
            if (!qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new QemuException("QEMU did not exit within " + timeout + " after quit" + logTail(log));
            }
            if (qemu.exitValue() != 0) {
                throw new QemuException("QEMU exited with " + qemu.exitValue() + " while storing the bitmaps"
                        + logTail(log));
            }
            return loaded;
        } finally {
            if (qemu.isAlive()) {
                qemu.destroy();
                if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                    qemu.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** The bitmaps {@code names} of node {@code node} as QEMU has them now, with QEMU's sha256. */
    private static Map<String, Loaded> loadedBitmaps(final QmpConnection qmp, final String node,
            final Collection<String> names) throws IOException {
        final Map<String, Loaded> loaded = new LinkedHashMap<>();
        for (final JsonNode n : qmp.execute("query-named-block-nodes", Map.of("flat", true))) {
            if (!n.path("node-name").asText().equals(node)) {
                continue;
            }
            for (final JsonNode b : n.path("dirty-bitmaps")) {
                final String name = b.path("name").asText();
                if (names.contains(name)) {
                    final String sha = qmp.execute("x-debug-block-dirty-bitmap-sha256",
                            Map.of("node", node, "name", name)).path("sha256").asText();
                    loaded.put(name, new Loaded(name, b.path("granularity").asLong(), b.path("count").asLong(),
                            sha, b.path("persistent").asBoolean(), b.path("recording").asBoolean(), false));
                }
            }
        }
        return loaded;
    }

    /** Waits until QEMU's monitor accepts connections; QEMU dying first (image locked, bad node) is its error. */
    private void awaitMonitor(final Process qemu, final Path socket, final Path log)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.exists(socket)) {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    return;
                } catch (IOException e) {
                    // bound, not listening yet
                }
            }
            if (qemu.waitFor(20, TimeUnit.MILLISECONDS)) {
                throw new QemuException("QEMU could not start with image " + image + " (exit " + qemu.exitValue() + ")"
                        + logTail(log));
            }
            if (System.nanoTime() > deadline) {
                throw new QemuException("QEMU's monitor did not come up within " + timeout + logTail(log));
            }
        }
    }

    private void awaitLoaded(final QmpConnection qmp, final String node, final Path log) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + timeout.multipliedBy(10).toNanos();
        while (System.nanoTime() < deadline) {
            final JsonNode m = qmp.execute("query-migrate", Map.of());
            final String status = m.path("status").asText("none");
            if (status.equals("completed")) {
                return;
            }
            if (status.equals("failed") || status.equals("cancelled")) {
                throw new QemuException("QEMU could not load the bitmaps into node '" + node + "' of " + image + ": "
                        + m.path("error-desc").asText(status) + logTail(log));
            }
            Thread.sleep(20);
        }
        throw new QemuException("QEMU did not finish loading the stream within " + timeout.multipliedBy(10) + logTail(log));
    }

    private JsonNode imageInfo() throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(QEMU_IMG, "info", "--output=json", image.toString())
                .redirectErrorStream(true).start();
        final byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new QemuException("qemu-img info " + image + " did not finish within " + timeout);
        }
        if (p.exitValue() != 0) {
            throw new QemuException("qemu-img info " + image + " failed: " + new String(out).trim());
        }
        return JSON.readTree(out);
    }

    private static String logTail(final Path log) {
        try {
            final List<String> lines = Files.readAllLines(log);
            final List<String> tail = lines.subList(Math.max(0, lines.size() - 8), lines.size());
            return tail.isEmpty() ? "" : "; QEMU said: " + String.join(" | ", tail).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static Path find(final String program) {
        final String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator)) {
            final Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
