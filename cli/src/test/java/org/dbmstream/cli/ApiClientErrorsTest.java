package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's query API clients against servers that are not there, silent, endless, someone else's, or that
 * refuse: each ends with exit 1 (exit 2 for bad options) and one line naming the URL and what to do, never a
 * hang, an OutOfMemoryError or a NullPointerException's text. The servers are JDK HttpServers in this JVM.
 */
class ApiClientErrorsTest {
    @TempDir
    Path tmp;
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        ApiOptions.environment = System::getenv;
    }

    @Test
    void nothingOnThePortNamesTheUrlAndWhatToDo() throws IOException {
        final String url = "http://127.0.0.1:" + closedPort();
        final DbmRun r = DbmRun.of("bitmaps", "list", "vm-17", "--url", url);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach the dbm-stream query API at " + url + " (Connection refused)")
                .contains("dbm destination --http-port").contains("--url URL").doesNotContain("Exception");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void anUnknownHostIsNamed() {
        final DbmRun r = DbmRun.of("bitmaps", "list", "--url", "http://no-such-host.invalid:8080");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach the dbm-stream query API at http://no-such-host.invalid:8080 "
                + "(unknown host 'no-such-host.invalid')");
    }

    @Test
    void aSilentServerFailsAfterTheTimeout() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            final long t0 = System.nanoTime();
            final DbmRun r = DbmRun.of("bitmaps", "list", "--url", "http://127.0.0.1:" + silent.getLocalPort(),
                    "--timeout", "1s");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("did not answer within 1s").contains("not a dbm-stream query API?");
            assertThat(System.nanoTime() - t0).as("gave up after the timeout, not later").isLessThan(20_000_000_000L);
        }
    }

    @Test
    void aServerThatStopsMidBodyFailsAfterTheTimeout() throws IOException {
        serve((ex, path) -> {
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write("[{\"start\":0,".getBytes(StandardCharsets.US_ASCII));
            ex.getResponseBody().flush();
            sleep(5000);
            ex.close();
        });
        final DbmRun r = DbmRun.of("bitmaps", "extents", "t", "n", "b", "--url", url(), "--timeout", "1s");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(url() + "/v1/targets/t/bitmaps/n/b/extents stopped sending: no data for 1s");
    }

    @Test
    void anEndlessBodyIsCutAtTheBoundNotReadIntoMemory() throws IOException {
        serve((ex, path) -> {
            ex.sendResponseHeaders(200, 0);
            final byte[] chunk = "1,".repeat(32768).getBytes(StandardCharsets.US_ASCII);
            try (OutputStream os = ex.getResponseBody()) {
                os.write('[');
                for (int i = 0; i < 2000; i++) { // 128 MiB at most, then the server gives up
                    os.write(chunk);
                }
            } catch (IOException clientLeft) {
                // the client stopped reading at its bound
            }
        });
        final DbmRun r = DbmRun.of("bitmaps", "list", "--url", url());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(url() + " is not a dbm-stream query API (its answer is larger than 64 MiB");
    }

    @Test
    void anotherServersJsonIsNamedAsSuch() throws IOException {
        serve((ex, path) -> json(ex, 200, path.endsWith("/bitmaps") ? "[{\"id\": 1}]" : "{\"hello\": \"world\"}"));
        DbmRun r = DbmRun.of("bitmaps", "list", "vm", "--url", url());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(url() + " is not a dbm-stream query API (its answer has no 'target' for "
                + "/v1/targets/vm/bitmaps)");
        r = DbmRun.of("bitmaps", "list", "--url", url());
        assertThat(r.err()).contains(url() + " is not a dbm-stream query API (its answer is not a JSON array");
        r = DbmRun.of("bitmaps", "show", "vm", "d", "b", "--url", url());
        assertThat(r.err()).contains(url() + " is not a dbm-stream query API (its answer has no 'target'");
        r = DbmRun.of("export", "--replica", url(), "--target", "vm", "-o", tmp.resolve("s").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(url() + " is not a dbm-stream query API").doesNotContain("Cannot invoke");
        assertThat(tmp.resolve("s")).doesNotExist();
    }

    @Test
    void refusalsSayWhichCredentialsToGive() throws IOException {
        final AtomicReference<String> seen = new AtomicReference<>();
        serve((ex, path) -> {
            final String auth = ex.getRequestHeaders().getFirst("Authorization");
            seen.set(auth);
            if (auth == null) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"dbm-stream\"");
                json(ex, 401, "{\"error\": \"authentication required\"}");
            } else {
                json(ex, 403, "{\"error\": \"role 'read' may not DELETE; it needs 'admin'\"}");
            }
        });
        DbmRun r = DbmRun.of("bitmaps", "list", "--url", url());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(url() + " refused the request: no valid credentials (authentication required)")
                .contains("--token-file FILE").contains("DBM_API_TOKEN").contains("--cert FILE --key FILE");
        ApiOptions.environment = Map.of(ApiOptions.TOKEN_ENV, "from-the-environment")::get;
        r = DbmRun.of("bitmaps", "rm", "vm", "d", "b", "--url", url());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(seen.get()).isEqualTo("Bearer from-the-environment");
        assertThat(r.err()).contains("refused the request (HTTP 403): role 'read' may not DELETE; it needs 'admin'");
        final Path token = Files.writeString(tmp.resolve("token"), "from-the-file\n");
        DbmRun.of("bitmaps", "list", "--url", url(), "--token-file", token.toString());
        assertThat(seen.get()).isEqualTo("Bearer from-the-file");
    }

    @Test
    void missingOrHalfGivenCredentialFilesAreBadArguments() throws IOException {
        DbmRun r = DbmRun.of("bitmaps", "list", "--token-file", tmp.resolve("none").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--token-file " + tmp.resolve("none") + ": no such file");
        final Path empty = Files.writeString(tmp.resolve("empty"), "\n");
        r = DbmRun.of("bitmaps", "list", "--token-file", empty.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("its first line is empty");
        final Path junk = Files.writeString(tmp.resolve("junk.pem"), "junk");
        r = DbmRun.of("bitmaps", "list", "--url", "https://localhost:1", "--cacert", junk.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("CA certificate file " + junk + " is not a PEM certificate");
        r = DbmRun.of("export", "--replica", "https://localhost:1", "--target", "t", "-o", "x", "--cert", junk.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--cert needs --key");
        r = DbmRun.of("bitmaps", "list", "--url", "ftp://localhost:1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--url ftp://localhost:1 is not an http:// or https:// URL");
    }

    /** Serves every path with {@code handler}. */
    private void serve(final Handler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", (HttpHandler) ex -> handler.handle(ex, ex.getRequestURI().getRawPath()));
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void json(final HttpExchange ex, final int status, final String body) throws IOException {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    private static void sleep(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @FunctionalInterface
    private interface Handler {
        void handle(HttpExchange ex, String path) throws IOException;
    }
}
