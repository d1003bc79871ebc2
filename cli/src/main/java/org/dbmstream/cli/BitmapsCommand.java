package org.dbmstream.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Options every subcommand has. */
    static final class Endpoint {
        @Option(names = "--url", defaultValue = "http://localhost:8080", paramLabel = "URL",
                description = "Base URL of any destination instance (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--json", description = "Print the API's JSON instead of a table.")
        boolean json;

        InputStream get(String path) throws IOException, InterruptedException {
            return send("GET", path);
        }

        /** Sends the request; the body of a 2xx answer, else an error with the API's message. */
        InputStream send(String method, String path) throws IOException, InterruptedException {
            final String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            final HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() / 100 != 2) {
                final byte[] body;
                try (InputStream in = r.body()) {
                    body = in.readAllBytes();
                }
                String message = new String(body, StandardCharsets.UTF_8);
                try {
                    message = JSON.readTree(body).path("error").asText(message);
                } catch (IOException notJson) {
                    // keep the body as it is
                }
                throw new IllegalStateException(message + " (HTTP " + r.statusCode() + " from " + base + ")");
            }
            return r.body();
        }

        JsonNode getJson(String path) throws IOException, InterruptedException {
            try (InputStream in = get(path)) {
                return JSON.readTree(in);
            }
        }
    }

    /** TARGET NODE NAME of one bitmap. */
    static final class BitmapName {
        @Parameters(index = "0", paramLabel = "TARGET", description = "Destination namespace (migration's target).")
        String target;

        @Parameters(index = "1", paramLabel = "NODE", description = "Node (disk) name on the destination.")
        String node;

        @Parameters(index = "2", paramLabel = "NAME", description = "Bitmap name.")
        String name;

        String path() {
            return "/v1/targets/" + enc(target) + "/bitmaps/" + enc(node) + "/" + enc(name);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Without TARGET: the targets and how many bitmaps each has; with it: its bitmaps.")
    static final class List implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Endpoint endpoint;
        @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET", description = "A target to list.")
        String target;

        @Override
        public Integer call() throws Exception {
            final PrintWriter out = spec.commandLine().getOut();
            final JsonNode list = endpoint.getJson(target == null ? "/v1/targets" : "/v1/targets/" + enc(target)
                    + "/bitmaps");
            if (endpoint.json) {
                out.println(list);
            } else if (target == null) {
                out.printf("%-32s %8s%n", "TARGET", "BITMAPS");
                list.forEach(t -> out.printf("%-32s %8d%n", t.get("target").asText(), t.get("bitmaps").asLong()));
            } else {
                out.printf("%-16s %-24s %-8s %11s %14s %14s %-8s %8s %-14s %s%n", "NODE", "NAME", "STATE",
                        "GRANULARITY", "SIZE", "COUNT", "FLAGS", "VERSIONS", "AGE", "SHA256");
                list.forEach(b -> out.printf("%-16s %-24s %-8s %11d %14d %14s %-8s %8s %-14s %s%n",
                        b.get("node").asText(), b.get("name").asText(), b.get("state").asText(),
                        b.get("granularity").asLong(), b.get("size").asLong(),
                        b.get("count").isNull() ? "-" : b.get("count").asText(), flags(b), versions(b), age(b),
                        b.get("sha256").isNull() ? "-" : b.get("sha256").asText()));
            }
            out.flush();
            return 0;
        }
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
        final long s = (long) f.get("age").asDouble();
        final String age = s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172_800 ? s / 3600 + "h" : s / 86_400 + "d";
        return f.path("lagging").asBoolean() ? age + " lagging" : age;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One bitmap's metadata.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Endpoint endpoint;
        @Mixin
        BitmapName bitmap;

        @Override
        public Integer call() throws Exception {
            final PrintWriter out = spec.commandLine().getOut();
            final JsonNode b = endpoint.getJson(bitmap.path());
            if (endpoint.json) {
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
                if (endpoint.json) {
                    out.flush();
                    out.println(new String(in.readAllBytes(), StandardCharsets.UTF_8));
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
                    throw new IOException("not an array of extents");
                }
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    final JsonNode e = JSON.readTree(p);
                    if (!dirtyOnly || e.get("dirty").asBoolean()) {
                        out.printf("%18d %18d %s%n", e.get("start").asLong(), e.get("length").asLong(),
                                e.get("dirty").asBoolean());
                    }
                }
            }
        }
    }

    @Command(name = "raw", mixinStandardHelpOptions = true,
            description = "A bitmap's bytes in QEMU's layout (bit k = bit k%%8 of byte k/8, LSB first).")
    static final class Raw implements Callable<Integer> {
        @Mixin
        Endpoint endpoint;
        @Mixin
        BitmapName bitmap;
        @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
                description = "File to write ('-': standard output).")
        String output;

        @Override
        public Integer call() throws Exception {
            try (InputStream in = endpoint.get(bitmap.path() + "/raw");
                 OutputStream out = "-".equals(output) ? System.out : Files.newOutputStream(Path.of(output))) {
                in.transferTo(out);
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
                in.readAllBytes();
            }
            spec.commandLine().getOut().printf("Removed bitmap '%s' of node '%s' on '%s'%n", bitmap.name, bitmap.node,
                    bitmap.target);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    private static String flags(JsonNode b) {
        return (b.get("enabled").asBoolean() ? "e" : "-") + (b.get("recording").asBoolean() ? "r" : "-")
                + (b.get("persistent").asBoolean() ? "p" : "-");
    }

    private static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
