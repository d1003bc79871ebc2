package org.dbmstream.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of the destination's replica query API (DESIGN.md section 9): lists a target's bitmaps and
 * streams one bitmap's raw bytes to a file. A 503 (the owner is not known yet, a rebalance) is retried
 * after its {@code Retry-After} until the timeout.
 */
public final class ReplicaClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    /** A client of the API at {@code base} (e.g. {@code http://dest:8080}). */
    public ReplicaClient(final URI base, final Duration timeout) {
        this.base = URI.create(base.toString().replaceAll("/+$", ""));
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** Every bitmap of {@code target}. */
    public List<ReplicaBitmap> bitmaps(final String target) throws IOException {
        final HttpResponse<InputStream> r = get("/v1/targets/" + segment(target) + "/bitmaps");
        try (InputStream in = r.body()) {
            final JsonNode array = JSON.readTree(in);
            final List<ReplicaBitmap> out = new ArrayList<>();
            array.forEach(n -> out.add(ReplicaBitmap.of(n)));
            return out;
        }
    }

    /**
     * Receives the raw bytes (QEMU's serialized form) of {@code bitmap} into {@code file}, checked against
     * its metadata before anyone uses them ({@link RawBitmapDownload}); returns the metadata they match.
     */
    public ReplicaBitmap raw(final ReplicaBitmap bitmap, final Path file) throws IOException {
        final String path = "/v1/targets/" + segment(bitmap.target()) + "/bitmaps/" + segment(bitmap.node()) + "/"
                + segment(bitmap.name());
        return RawBitmapDownload.fetch(new RawBitmapDownload.Source() {
            private boolean listed = true;

            @Override
            public ReplicaBitmap metadata() throws IOException {
                if (listed) {
                    // the list's entry first; asked again only if the bitmap changed while it was read
                    listed = false;
                    return bitmap;
                }
                try (InputStream in = get(path).body()) {
                    return ReplicaBitmap.of(JSON.readTree(in));
                }
            }

            @Override
            public InputStream body() throws IOException {
                return get(path + "/raw").body();
            }
        }, base + path + "/raw", file);
    }

    private HttpResponse<InputStream> get(final String path) throws IOException {
        final URI uri = URI.create(base + path);
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            final HttpResponse<InputStream> r;
            try {
                r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while asking " + uri, e);
            } catch (IOException e) {
                throw new IOException("cannot reach the replica API at " + uri + ": "
                        + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
            }
            if (r.statusCode() == 200) {
                return r;
            }
            final String body;
            try (InputStream in = r.body()) {
                body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            }
            if (r.statusCode() == 503 && System.nanoTime() < deadline) {
                final long wait = r.headers().firstValueAsLong("Retry-After").orElse(1);
                try {
                    Thread.sleep(Math.max(100, Math.min(wait, 5) * 1000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for " + uri, e);
                }
                continue;
            }
            throw new IOException("replica API " + uri + " answered " + r.statusCode() + ": " + errorOf(body));
        }
    }

    private static String errorOf(final String body) {
        try {
            final JsonNode n = JSON.readTree(body);
            if (n != null && n.has("error")) {
                return n.get("error").asText();
            }
        } catch (IOException e) {
            // not JSON: the body as it is
        }
        return body.strip();
    }

    /** A path segment: percent-encoded UTF-8 (spaces as %20, not '+'). */
    static String segment(final String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
