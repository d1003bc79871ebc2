package org.dbmstream.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.dbmstream.bitmap.ReplicaNames;
import org.dbmstream.export.RawBitmapDownload;
import org.dbmstream.export.ReplicaBitmap;
import org.dbmstream.export.ReplicaClient;
import org.dbmstream.source.TemporaryFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dbm bitmaps}: reads the replica back through a destination's query API. */
@Command(name = "bitmaps", mixinStandardHelpOptions = true,
        description = "Lists and reads the bitmaps a destination holds, through its HTTP query API.",
        subcommands = {BitmapsCommand.List.class, BitmapsCommand.Show.class, BitmapsCommand.Extents.class,
            BitmapsCommand.Raw.class, BitmapsCommand.Remove.class})
final class BitmapsCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Options every subcommand has. */
    static final class Endpoint {
        @Option(names = "--url", defaultValue = "http://localhost:8080", paramLabel = "URL",
                description = "Base URL of any destination instance (default: ${DEFAULT-VALUE}).")
        URI url;

        @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION",
                description = "How long to wait for a connection and for each read, and to retry while the API "
                    + "answers 503 (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @Mixin
        ApiOptions api;

        private ReplicaClient client;

        ReplicaClient client() {
            if (client == null) {
                client = api.client(url, timeout, "--url");
            }
            return client;
        }

        InputStream get(String path) throws IOException {
            return client().stream("GET", path);
        }

        /** Sends the request; the body of a 2xx answer, else an error with the API's message. */
        InputStream send(String method, String path) throws IOException {
            return client().stream(method, path);
        }
    }

    /** {@code --json}, for the subcommands that print a table (raw bytes and a removal have none). */
    static final class JsonOutput {
        @Option(names = "--json", description = "Print the API's JSON instead of a table.")
        boolean json;
    }

    /**
     * TARGET NODE NAME of one bitmap; a name no replica can hold (empty, too long, a control character) is a bad
     * argument, not a request the API answers 404 or 414.
     */
    static final class BitmapName {
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;
        String target;
        String node;
        String name;

        @Parameters(index = "0", paramLabel = "TARGET", description = "Destination namespace (migration's target).")
        void target(final String value) {
            target = ArgumentChecks.name(spec, "TARGET", ReplicaNames.Kind.TARGET, value);
        }

        @Parameters(index = "1", paramLabel = "NODE", description = "Node (disk) name on the destination.")
        void node(final String value) {
            node = ArgumentChecks.name(spec, "NODE", ReplicaNames.Kind.NODE, value);
        }

        @Parameters(index = "2", paramLabel = "NAME", description = "Bitmap name.")
        void name(final String value) {
            name = ArgumentChecks.name(spec, "NAME", ReplicaNames.Kind.BITMAP, value);
        }

        String path() {
            return ReplicaClient.bitmapPath(target, node, name);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"Without TARGET: the targets, how many bitmaps each has, their state (loading, lagging or "
                + "current) and freshness; with it: its bitmaps.",
                "FLAGS: e enabled, r recording, p persistent; -w/--wide or --json for whole sha256 digests."})
    static final class List implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Endpoint endpoint;
        @Mixin
        JsonOutput output;
        @Mixin
        WideOption wide;
        @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET", description = "A target to list.")
        String target;

        @Override
        public Integer call() throws Exception {
            if (target != null) {
                ArgumentChecks.name(spec, "TARGET", ReplicaNames.Kind.TARGET, target);
            }
            final PrintWriter out = spec.commandLine().getOut();
            final JsonNode list = target == null ? endpoint.client().targets() : endpoint.client().bitmapList(target);
            if (output.json) {
                out.println(list);
            } else if (target == null) {
                final TextTable table = new TextTable("TARGET", ">BITMAPS", "STATE", "FRESHNESS");
                list.forEach(t -> table.add(t.path("target").asText(), t.path("bitmaps").asText(), targetState(t),
                        targetFreshness(t)));
                table.print(out);
            } else {
                // the disk size is in `show` and --json: the list keeps to 100 columns with VER and AGE
                final TextTable table = new TextTable("NODE", "NAME", "STATE", ">GRAN", ">COUNT", "FLAGS",
                        ">VER", "AGE", "SHA256");
                list.forEach(b -> table.add(b.path("node").asText(), b.path("name").asText(), b.path("state").asText(),
                        ReportPrinter.human(b.path("granularity").asLong()),
                        orDash(b.path("count")), flags(b), versions(b), age(b),
                        TextTable.digest(b.path("sha256").isTextual() ? b.path("sha256").asText() : null, wide.wide)));
                table.print(out);
            }
            out.flush();
            return 0;
        }
    }

    /**
     * A target's state from the API's summary: "loading 2", "lagging 3" (how many) or "current"; "-" before the
     * destination summarized it.
     */
    static String targetState(final JsonNode t) {
        final String state = t.path("state").asText("-");
        return switch (state) {
            case "loading" -> "loading " + t.path("loading").asText();
            case "lagging" -> "lagging " + t.path("lagging").asText();
            default -> state.isEmpty() ? "-" : state;
        };
    }

    /** How current a target is: the age of its oldest lagging replica's bits, else when its newest version completed. */
    static String targetFreshness(final JsonNode t) {
        if (t.path("lagAge").isNumber()) {
            return "oldest read " + duration(Math.max(0, (long) t.get("lagAge").asDouble())) + " ago";
        }
        if (t.path("lastCompleted").isTextual()) {
            try {
                final long s = java.time.Duration.between(java.time.Instant.parse(t.get("lastCompleted").asText()),
                        java.time.Instant.now()).toSeconds();
                return "completed " + duration(Math.max(0, s)) + " ago";
            } catch (java.time.format.DateTimeParseException e) {
                return "-"; // not a time this API writes: show nothing rather than fail the whole list
            }
        }
        return "-";
    }

    /** "12s", "3m", "2h", "5d". */
    static String duration(final long s) {
        return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172_800 ? s / 3600 + "h" : s / 86_400 + "d";
    }

    /** Versions of a replica (API field {@code freshness.versions}), "-" when unknown. */
    static String versions(final JsonNode b) {
        final JsonNode v = b.path("freshness").path("versions");
        return v.isNumber() ? v.asText() : "-";
    }

    /** How old a replica is ("12s", "3m", "2h") and whether it lags an enabled bitmap ("45s lagging"). */
    static String age(final JsonNode b) {
        final JsonNode f = b.path("freshness");
        if (!f.path("age").isNumber()) {
            return "-";
        }
        final String age = duration((long) f.get("age").asDouble());
        return f.path("lagging").asBoolean() ? age + " lagging" : age;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One bitmap's metadata.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Endpoint endpoint;
        @Mixin
        JsonOutput output;
        @Mixin
        BitmapName bitmap;

        @Override
        public Integer call() throws Exception {
            final PrintWriter out = spec.commandLine().getOut();
            final JsonNode b = endpoint.client().bitmap(bitmap.target, bitmap.node, bitmap.name);
            if (output.json) {
                out.println(b);
            } else {
                b.fields().forEachRemaining(f -> {
                    if (f.getValue().isObject()) {
                        out.printf("%s%n", f.getKey() + ":");
                        f.getValue().fields().forEachRemaining(g -> out.printf("  %-14s %s%n", g.getKey() + ":",
                                g.getValue().isNull() ? "-" : g.getValue().asText()));
                    } else {
                        out.printf("%-12s %s%n", f.getKey() + ":", f.getValue().isNull() ? "-" : f.getValue().asText());
                    }
                });
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "extents", mixinStandardHelpOptions = true,
            description = "A bitmap's extents (byte ranges of the disk, dirty or clean), as oVirt imageio serves them.")
    static final class Extents implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Endpoint endpoint;
        @Mixin
        JsonOutput output;
        @Mixin
        BitmapName bitmap;
        @Option(names = "--start", paramLabel = "BYTES", description = "First byte of the window (default: 0).")
        Long start;
        @Option(names = "--length", paramLabel = "BYTES", description = "Length of the window (default: to the end).")
        Long length;
        @Option(names = "--dirty", description = "Only the dirty extents (table output).")
        boolean dirtyOnly;

        @Override
        public Integer call() throws Exception {
            final PrintWriter out = spec.commandLine().getOut();
            final StringBuilder query = new StringBuilder();
            if (start != null) {
                query.append(query.length() == 0 ? "?" : "&").append("start=").append(start);
            }
            if (length != null) {
                query.append(query.length() == 0 ? "?" : "&").append("length=").append(length);
            }
            try (InputStream in = endpoint.get(bitmap.path() + "/extents" + query)) {
                if (output.json) {
                    out.flush();
                    // streamed: a large bitmap's extents never sit in memory
                    new java.io.InputStreamReader(in, StandardCharsets.UTF_8).transferTo(out);
                    out.println();
                } else {
                    table(in, out);
                }
            }
            out.flush();
            return 0;
        }

        /** Reads the array one extent at a time: a large bitmap's extents never sit in memory. */
        private void table(InputStream in, PrintWriter out) throws IOException {
            out.printf("%18s %18s %s%n", "START", "LENGTH", "DIRTY");
            try (JsonParser p = JSON.getFactory().createParser(in)) {
                if (p.nextToken() != JsonToken.START_ARRAY) {
                    throw new IOException(endpoint.url + " is not a dbm-stream query API (its extents are not a JSON "
                            + "array)");
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    final JsonNode e = JSON.readTree(p);
                    if (!e.has("start") || !e.has("length") || !e.has("dirty")) {
                        throw new IOException(endpoint.url + " is not a dbm-stream query API (an extent without "
                                + "start, length and dirty)");
                    }
                    if (!dirtyOnly || e.get("dirty").asBoolean()) {
                        out.printf("%18d %18d %s%n", e.get("start").asLong(), e.get("length").asLong(),
                                e.get("dirty").asBoolean());
                    }
                }
            }
        }
    }

    @Command(name = "raw", mixinStandardHelpOptions = true,
            description = {"A bitmap's bytes in QEMU's layout (bit k = bit k%%8 of byte k/8, LSB first).",
                "The bytes are checked against the bitmap's metadata (length, QEMU's sha256 and count) before "
                    + "anything is written; a special file (FIFO, device) is written through, a symbolic link "
                    + "followed, a regular file replaced only once the bytes are complete."})
    static final class Raw implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Endpoint endpoint;
        @Mixin
        BitmapName bitmap;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
                description = "File to write ('-': standard output).")
        String output;

        @Override
        public Integer call() throws Exception {
            final OutputTarget target = ArgumentChecks.output(spec, "-o", output);
            // received and checked in full before a byte reaches the output (which may be a pipe)
            final Path received = TemporaryFiles.create("dbm-raw-", ".bitmap");
            try {
                final ReplicaClient client = endpoint.client();
                final ReplicaBitmap meta = client.raw(ReplicaBitmap.of(client.bitmap(bitmap.target, bitmap.node,
                        bitmap.name)), received);
                target.write(out -> Files.copy(received, out));
                if (target.kind() != OutputTarget.Kind.STDOUT) {
                    // standard output holds the bytes; a file says on stderr what it got, as export does
                    final PrintWriter err = spec.commandLine().getErr();
                    err.printf("wrote %d bytes (bitmap '%s' of node '%s' on '%s', QEMU's layout) to %s%n",
                            RawBitmapDownload.expectedBytes(meta), meta.name(), meta.node(), meta.target(),
                            target.name());
                    err.flush();
                }
            } finally {
                TemporaryFiles.delete(received);
            }
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Removes a completed bitmap from the replica, like QMP block-dirty-bitmap-remove: an event "
                + "records it and its name is free for a later migration.")
    static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Endpoint endpoint;
        @Mixin
        BitmapName bitmap;

        @Override
        public Integer call() throws Exception {
            try (InputStream in = endpoint.send("DELETE", bitmap.path())) {
                in.readNBytes(4096);
            }
            spec.commandLine().getOut().printf("Removed bitmap '%s' of node '%s' on '%s'%n", bitmap.name, bitmap.node,
                    bitmap.target);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    private static String flags(JsonNode b) {
        return (b.path("enabled").asBoolean() ? "e" : "-") + (b.path("recording").asBoolean() ? "r" : "-")
                + (b.path("persistent").asBoolean() ? "p" : "-");
    }

    private static String orDash(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? "-" : n.asText();
    }
}
