package org.dbmstream.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import org.dbmstream.tls.ClientTls;

/**
 * The one client of the destination's query API (DESIGN.md section 9) that every command uses ({@code dbm
 * bitmaps}, {@code dbm export --replica}, ...), so that they cannot drift: HTTPS with the given CA and client
 * certificate, a bearer token, connect and read timeouts (a silent server fails after the timeout, never
 * hangs), JSON answers read up to {@value #MAX_JSON_MIB} MiB and checked for the API's shape (another server's
 * JSON is named as such), and errors that name the URL and what to do. A 503 or 429 (the owner is not known
 * yet, a rebalance, too many streams) is retried after its {@code Retry-After} until the timeout.
 */
public final class ReplicaClient {
    /** Largest JSON answer read, in MiB: a list of 100,000 bitmaps is about 50 MiB. */
    public static final int MAX_JSON_MIB = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final ApiConnection connection;
    private final SSLSocketFactory tls;

    /** A client of the API at {@code base} (e.g. {@code http://dest:8080}) with no credentials. */
    public ReplicaClient(final URI base, final Duration timeout) throws IOException {
        this(base, ApiConnection.DEFAULTS.withTimeout(timeout).withUrlOption("--replica"));
    }

    /** A client of the API at {@code base} connecting as {@code connection} says; bad TLS files fail here. */
    public ReplicaClient(final URI base, final ApiConnection connection) throws IOException {
        final String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || base.getHost() == null) {
            throw new IOException(connection.urlOption() + " " + base + " is not an http:// or https:// URL of a "
                    + "dbm-stream query API (e.g. http://localhost:8080)");
        }
        this.base = URI.create(base.toString().replaceAll("/+$", ""));
        this.connection = connection;
        final boolean custom = connection.caCert() != null || connection.clientCert() != null
                || connection.clientKey() != null;
        this.tls = custom ? ClientTls.context(connection.caCert(), connection.clientCert(), connection.clientKey())
                .getSocketFactory() : null;
    }

    /** The base URL, as given without a trailing slash. */
    public URI base() {
        return base;
    }

    /** {@code [{"target", "bitmaps"}]}: every target and how many bitmaps it has. */
    public JsonNode targets() throws IOException {
        final JsonNode list = json("/v1/targets");
        for (final JsonNode t : list) {
            requireFields(t, "/v1/targets", "target", "bitmaps");
        }
        return list;
    }

    /** The bitmap objects of {@code target}, as the API gives them. */
    public JsonNode bitmapList(final String target) throws IOException {
        final String path = "/v1/targets/" + segment(target) + "/bitmaps";
        final JsonNode list = json(path);
        for (final JsonNode b : list) {
            requireFields(b, path, ReplicaBitmap.FIELDS);
        }
        return list;
    }

    /** Every bitmap of {@code target}. */
    public List<ReplicaBitmap> bitmaps(final String target) throws IOException {
        final List<ReplicaBitmap> out = new ArrayList<>();
        bitmapList(target).forEach(n -> out.add(ReplicaBitmap.of(n)));
        return out;
    }

    /** One bitmap's object. */
    public JsonNode bitmap(final String target, final String node, final String name) throws IOException {
        final String path = bitmapPath(target, node, name);
        final JsonNode b = request("GET", path, true);
        requireFields(b, path, ReplicaBitmap.FIELDS);
        return b;
    }

    /**
     * Receives the raw bytes (QEMU's serialized form) of {@code bitmap} into {@code file}, checked against
     * its metadata before anyone uses them ({@link RawBitmapDownload}); returns the metadata they match.
     */
    public ReplicaBitmap raw(final ReplicaBitmap bitmap, final Path file) throws IOException {
        final String path = bitmapPath(bitmap.target(), bitmap.node(), bitmap.name());
        return RawBitmapDownload.fetch(new RawBitmapDownload.Source() {
            private boolean listed = true;

            @Override
            public ReplicaBitmap metadata() throws IOException {
                if (listed) {
                    // the list's entry first; asked again only if the bitmap changed while it was read
                    listed = false;
                    return bitmap;
                }
                return ReplicaBitmap.of(bitmap(bitmap.target(), bitmap.node(), bitmap.name()));
            }

            @Override
            public InputStream body() throws IOException {
                return stream("GET", path + "/raw");
            }
        }, base + path + "/raw", file);
    }

    /** The body of a 2xx answer to {@code method path} (already encoded), streamed; the caller closes it. */
    public InputStream stream(final String method, final String path) throws IOException {
        return open(method, path);
    }

    /** A JSON answer: an array or object, read up to {@value #MAX_JSON_MIB} MiB. */
    public JsonNode json(final String path) throws IOException {
        final JsonNode n = request("GET", path, false);
        if (!n.isArray()) {
            throw notApi(path, "its answer is not a JSON array");
        }
        return n;
    }

    private JsonNode request(final String method, final String path, final boolean object) throws IOException {
        final JsonNode n;
        try (InputStream in = open(method, path)) {
            final byte[] body = in.readNBytes(MAX_JSON_MIB * 1024 * 1024 + 1);
            if (body.length > MAX_JSON_MIB * 1024 * 1024) {
                throw notApi(path, "its answer is larger than " + MAX_JSON_MIB + " MiB");
            }
            n = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw notApi(path, "its answer is not JSON");
        }
        if (n == null || object && !n.isObject()) {
            throw notApi(path, "its answer is not a JSON object");
        }
        return n;
    }

    private void requireFields(final JsonNode n, final String path, final String... fields) throws IOException {
        for (final String f : fields) {
            if (!n.isObject() || !n.has(f)) {
                throw notApi(path, "its answer has no '" + f + "'");
            }
        }
    }

    private IOException notApi(final String path, final String why) {
        return new IOException(base + " is not a dbm-stream query API (" + why + " for " + path + ")");
    }

    private InputStream open(final String method, final String path) throws IOException {
        final URI uri = URI.create(base + path);
        final long deadline = System.nanoTime() + connection.timeout().toNanos();
        while (true) {
            final HttpURLConnection c = connect(uri, method);
            final int status = c.getResponseCode();
            if (status / 100 == 2) {
                return new NamedStream(c, uri);
            }
            final String body = errorBody(c);
            if ((status == 503 || status == 429) && System.nanoTime() < deadline) {
                final long wait = parseLong(c.getHeaderField("Retry-After"), 1);
                sleep(Math.max(100, Math.min(wait, 5) * 1000L), uri);
                continue;
            }
            throw new IOException(refusal(status, body, uri));
        }
    }

    private HttpURLConnection connect(final URI uri, final String method) throws IOException {
        final int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(1, connection.timeout().toMillis()));
        final HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        if (c instanceof HttpsURLConnection https && tls != null) {
            https.setSSLSocketFactory(tls);
        }
        c.setConnectTimeout(ms);
        c.setReadTimeout(ms);
        c.setRequestMethod(method);
        c.setRequestProperty("Accept", "application/json, application/octet-stream");
        if (connection.token() != null) {
            c.setRequestProperty("Authorization", "Bearer " + connection.token());
        }
        try {
            c.connect();
            c.getResponseCode();
            return c;
        } catch (IOException e) {
            c.disconnect();
            throw new IOException(transportProblem(e, uri), e);
        }
    }

    /** One line for a connection that failed: what happened at which URL, and what to try. */
    private String transportProblem(final IOException e, final URI uri) {
        final String at = "the dbm-stream query API at " + base;
        final String hint = ": is a destination running there (dbm destination --http-port PORT)? Give its address "
                + "with " + connection.urlOption() + " URL";
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return "cannot reach " + at + " (" + message(e) + ")" + hint;
        }
        if (e instanceof UnknownHostException) {
            return "cannot reach " + at + " (unknown host '" + uri.getHost() + "')" + hint;
        }
        if (e instanceof SocketTimeoutException) {
            return at + " did not answer within " + human(connection.timeout()) + " (" + message(e)
                    + "): a silent server, or not a dbm-stream query API?";
        }
        if (e instanceof SSLException) {
            return TlsProblems.describe((SSLException) e, base, connection);
        }
        final String m = message(e);
        final boolean dropped = m.contains("Unexpected end of file") || m.contains("reset") || m.contains("Broken pipe")
                || m.contains("Error writing to server");
        if ("https".equalsIgnoreCase(uri.getScheme()) && dropped) {
            // with TLS 1.3 a server refuses a client certificate after the handshake, often by closing
            return at + " closed the connection after the TLS handshake (" + message(e) + "): it may require a "
                    + (connection.clientCert() == null ? "client certificate (give --cert FILE --key FILE)"
                    : "client certificate signed by a CA it trusts (not " + connection.clientCert() + ")");
        }
        if ("https".equalsIgnoreCase(uri.getScheme()) || !dropped) {
            return "cannot talk to " + at + " (" + message(e) + ")";
        }
        return at + " closed the connection without an answer: if it serves HTTPS, use https:// in "
                + connection.urlOption();
    }

    /** One line for a non-2xx answer, with the API's own error message. */
    private String refusal(final int status, final String body, final URI uri) {
        final String error = errorOf(body);
        if (status == 401) {
            return base + " refused the request: no valid credentials (" + error + "). Give a token with --token-file "
                    + "FILE or the environment variable DBM_API_TOKEN (dbm api token makes one), or a client "
                    + "certificate with --cert FILE --key FILE";
        }
        if (status == 403) {
            return base + " refused the request (HTTP 403): " + error;
        }
        return error + " (HTTP " + status + " from " + uri + ")";
    }

    private static String errorBody(final HttpURLConnection c) {
        try (InputStream in = c.getErrorStream()) {
            return in == null ? "" : new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String errorOf(final String body) {
        try {
            final JsonNode n = JSON.readTree(body);
            if (n != null && n.path("error").isTextual()) {
                return n.get("error").asText();
            }
        } catch (IOException e) {
            // not JSON: the body as it is
        }
        final String text = body.strip().replaceAll("\\s+", " ");
        return text.isEmpty() ? "no message" : text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static long parseLong(final String s, final long absent) {
        try {
            return s == null ? absent : Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return absent;
        }
    }

    private static void sleep(final long ms, final URI uri) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + uri, e);
        }
    }

    static String message(final Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    static String human(final Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** A path segment: percent-encoded UTF-8 (spaces as %20, not '+'). */
    public static String segment(final String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code /v1/targets/T/bitmaps/N/B}, each segment encoded. */
    public static String bitmapPath(final String target, final String node, final String name) {
        return "/v1/targets/" + segment(target) + "/bitmaps/" + segment(node) + "/" + segment(name);
    }

    /** A body whose read failures name the URL (a server that stops sending mid-body fails after the timeout). */
    private final class NamedStream extends FilterInputStream {
        private final HttpURLConnection c;
        private final URI uri;

        NamedStream(final HttpURLConnection c, final URI uri) throws IOException {
            super(c.getInputStream());
            this.c = c;
            this.uri = uri;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw named(e);
            }
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw named(e);
            }
        }

        private IOException named(final IOException e) {
            if (e instanceof SocketTimeoutException) {
                return new IOException(uri + " stopped sending: no data for " + human(connection.timeout()), e);
            }
            return new IOException("reading " + uri + " failed: " + message(e), e);
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                c.disconnect();
            }
        }
    }
}
