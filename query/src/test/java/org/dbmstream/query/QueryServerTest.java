package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/**
 * The server's answers while the destination cannot be queried (starting, rebalancing): 503, never a guess, for
 * GET and HEAD alike; and without authentication the API is read-only: every state change is refused with 403.
 */
class QueryServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void beforeTheDestinationRunsQueriesAnswer503WithRetryAfter() throws Exception {
        try (DestinationMetrics metrics = new DestinationMetrics();
             QueryServer server = new QueryServer(new QueryRoutes(new LocalReplica(() -> null),
                     new Peers(() -> null, () -> new HostInfo("127.0.0.1", 1)), null), metrics, () -> true,
                     () -> false)) {
            String base = "http://127.0.0.1:" + server.start("127.0.0.1", 0);
            for (String path : new String[] {"/v1/targets", "/v1/targets/vm%2017/bitmaps",
                "/v1/targets/vm/bitmaps/disk/b%C3%BC/extents?start=1&length=2"}) {
                HttpResponse<String> r = get(base + path);
                assertThat(r.statusCode()).as(path).isEqualTo(503);
                assertThat(r.headers().firstValue("Retry-After")).as(path).hasValue("1");
                assertThat(r.body()).contains("\"error\"").contains("starting");
                assertThat(send("HEAD", base + path).statusCode()).as("HEAD " + path).isEqualTo(503);
            }
            HttpResponse<String> delete = send("DELETE", base + "/v1/targets/vm/bitmaps/disk/b");
            assertThat(delete.statusCode()).isEqualTo(403);
            assertThat(delete.body()).contains("the query API is read-only: no authentication is configured")
                    .contains("--api-access FILE");
            assertThat(send("HEAD", base + "/health/ready").statusCode()).isEqualTo(503);
            // bad paths and parameters: 400 with a message, never a 500 or a stack trace
            for (String bad : new String[] {"/v1/targets/vm/bitmaps/disk/b/extents?length=99999999999999999999",
                "/v1/targets/vm/bitmaps/disk/b/extents?start=-5", "/v1/targets/" + "x".repeat(1100) + "/bitmaps",
                "/v1/targets/vm%ZZ/bitmaps", "/v1/targets/vm/bitmaps/disk/%C3%28"}) {
                String answer = raw(base, bad);
                assertThat(answer).as(bad).startsWith("HTTP/1.1 400").doesNotContain("Exception")
                        .doesNotContain("\tat ");
            }
            assertThat(get(base + "/v1/targets/vm/bitmaps/disk/b/extents?start=x").statusCode()).isEqualTo(400);
            assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(base + "/health/ready").statusCode()).isEqualTo(503);
            HttpResponse<String> metricsText = get(base + "/metrics");
            assertThat(metricsText.statusCode()).isEqualTo(200);
            assertThat(metricsText.body()).contains("jvm_memory_used_bytes");
        }
    }

    /** The whole answer to a request line sent as it is (the JDK's client refuses malformed URIs). */
    private static String raw(String base, String path) throws Exception {
        URI u = URI.create(base);
        try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return send("GET", url);
    }

    private static HttpResponse<String> send(String method, String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
