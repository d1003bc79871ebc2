package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.broker.KafkaBroker;
import org.dbmstream.broker.testing.KafkaBrokerExtension;
import org.dbmstream.query.AccessFile.Role;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.TlsCredentials;
import org.dbmstream.tls.ClientTls;
import org.dbmstream.topology.DestinationConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The query API with everything on (DESIGN.md section 13), on two destination instances over the in-process
 * broker: HTTPS with certificates openssl made for this test, an access file with an admin token, a read token
 * and a client certificate of role read, a shared peer token, /metrics protected, and small limits. Every route
 * answers each credential as its role allows, requests are forwarded between the instances over HTTPS with
 * their own credential, a state change leaves an audit line, and slow readers that hold every streaming slot
 * get nothing more than their slots: the next ones get 429 and the health probes answer at once.
 */
@ExtendWith(KafkaBrokerExtension.class)
class SecureQueryApiIT {
    private static final String PREFIX = "it.secure.";
    private static final Topics TOPICS = new Topics(PREFIX);
    private static final String TARGET = "vm-secure";
    /** 4 MiB of alternating bits: 2^25 extents, a JSON answer far larger than any socket buffer holds. */
    private static final int BIG_BYTES = 4 << 20;

    @TempDir
    static Path tmp;
    private static TlsCredentials pki;
    private static QueryingDestination a;
    private static QueryingDestination b;
    private static final String ADMIN = AccessFile.newToken();
    private static final String READ = AccessFile.newToken();
    private static HttpClient https;
    private static HttpClient withCertificate;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        assumeTrue(TlsCredentials.available(), "openssl is not installed");
        pki = TlsCredentials.create(tmp.resolve("pki"));
        Path access = Files.writeString(tmp.resolve("access"), String.join("\n", "# test access file",
                AccessFile.line(ADMIN, Role.ADMIN, "operator"), AccessFile.line(READ, Role.READ, "backup"),
                "read cn=dbm test client", ""));
        Path peer = Files.writeString(tmp.resolve("peer-token"), AccessFile.newToken() + "\n");
        Path ca = pki.serverDir().resolve("ca-cert.pem");
        ApiSecurity security = ApiSecurity.DEFAULTS
                .withTls(pki.serverDir().resolve("server-cert.pem"), pki.serverDir().resolve("server-key.pem"), ca)
                .withClientCa(ca, false).withAccess(access, peer, true)
                .withLimits(2, 64, Duration.ofSeconds(30), Duration.ofMinutes(10));
        a = QueryingDestination.start(config(broker, "a"), "127.0.0.1", 0, "127.0.0.1", security);
        assertThat(a.app().awaitRunning(Duration.ofSeconds(90))).isTrue();
        b = QueryingDestination.start(config(broker, "b"), "127.0.0.1", 0, "127.0.0.1", security);
        QueryApiIT.await(() -> a.app().ready() && b.app().ready());
        https = HttpClient.newBuilder().sslContext(ClientTls.context(ca, null, null)).build();
        withCertificate = HttpClient.newBuilder().sslContext(ClientTls.context(ca,
                pki.clientDir().resolve("client-cert.pem"), pki.clientDir().resolve("client-key.pem"))).build();
        publish(broker, "s-img1", new MigrationInput.Qcow2Image(QemuTestData.image("img1", tmp), "img1"));
        Path big = tmp.resolve("big.raw");
        byte[] alternating = new byte[BIG_BYTES];
        java.util.Arrays.fill(alternating, (byte) 0x55);
        Files.write(big, alternating);
        publish(broker, "s-big", new MigrationInput.RawBitmapFile(big, "big", "alternating", Granularity.of(512),
                BIG_BYTES * 8L * 512, false, false));
    }

    private static void publish(KafkaBroker broker, String migration, MigrationInput input) throws Exception {
        QueryApiIT.publish(broker, TOPICS, MigrationRequest.builder().migrationId(migration).target(TARGET)
                .input(input).build());
    }

    private static DestinationConfig config(KafkaBroker broker, String instance) {
        return QueryApiIT.config(broker, tmp.resolve("state-" + instance), PREFIX, "it-secure");
    }

    @AfterAll
    static void stop() {
        for (QueryingDestination d : new QueryingDestination[] {b, a}) {
            if (d != null) {
                d.close();
            }
        }
    }

    /** The credentials of the matrix. */
    private enum Caller { NONE, WRONG_TOKEN, READ_TOKEN, ADMIN_TOKEN, CLIENT_CERT }

    @Test
    void everyRouteAnswersEachCredentialAsItsRoleAllows() throws Exception {
        String bitmap = "/v1/targets/" + TARGET + "/bitmaps/img1/b64k";
        List<String> reads = List.of("/v1/targets", "/v1/targets/" + TARGET + "/bitmaps", bitmap, bitmap + "/extents",
                bitmap + "/raw", "/metrics");
        for (QueryingDestination asked : List.of(a, b)) {
            for (Caller caller : Caller.values()) {
                boolean mayRead = caller == Caller.READ_TOKEN || caller == Caller.ADMIN_TOKEN
                        || caller == Caller.CLIENT_CERT;
                for (String path : reads) {
                    for (String method : List.of("GET", "HEAD")) {
                        HttpResponse<byte[]> r = send(asked, caller, method, path);
                        assertThat(r.statusCode()).as("%s %s as %s", method, path, caller).isEqualTo(mayRead ? 200 : 401);
                        if (!mayRead) {
                            assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).get().asString()
                                    .startsWith("Bearer realm=\"dbm-stream\"");
                            if (method.equals("GET")) {
                                assertThat(json(r).get("error").asText()).as(path).isEqualTo(caller == Caller.NONE
                                        ? "authentication required: give a bearer token (Authorization: Bearer "
                                        + "TOKEN) or a client certificate" : "invalid token");
                            }
                        }
                    }
                }
                for (String health : List.of("/health/live", "/health/ready")) {
                    HttpResponse<byte[]> r = send(asked, caller, "GET", health);
                    assertThat(r.statusCode()).as(health + " as " + caller).isEqualTo(200);
                    assertThat(json(r).fieldNames()).toIterable().containsExactly("status");
                }
                // DELETE of a bitmap that is not there: past the door only with role admin
                HttpResponse<byte[]> d = send(asked, caller, "DELETE", "/v1/targets/" + TARGET + "/bitmaps/img1/none");
                int expected = caller == Caller.ADMIN_TOKEN ? 404 : mayRead ? 403 : 401;
                assertThat(d.statusCode()).as("DELETE as " + caller).isEqualTo(expected);
                if (expected == 403) {
                    assertThat(json(d).get("error").asText()).contains("has role 'read', which may not DELETE")
                            .contains("needs role 'admin'");
                }
            }
        }
        assertThat(json(send(a, Caller.CLIENT_CERT, "GET", bitmap)).get("sha256").asText())
                .isEqualTo(expected("b64k").get("sha256").asText());
    }

    @Test
    void forwardedRequestsAuthenticateAndEveryInstanceAnswersForAll() throws Exception {
        for (QueryingDestination asked : List.of(a, b)) {
            assertThat(asked.baseUrl()).startsWith("https://");
            JsonNode list = json(send(asked, Caller.READ_TOKEN, "GET", "/v1/targets/" + TARGET + "/bitmaps"));
            assertThat(list.findValues("name").stream().map(JsonNode::asText))
                    .containsExactlyInAnyOrder("b4k", "b64k", "b1m", "bdis", "alternating");
            for (JsonNode q : QemuTestData.expected("img1.qcow2")) {
                String path = "/v1/targets/" + TARGET + "/bitmaps/img1/" + q.get("name").asText();
                assertThat(json(send(asked, Caller.CLIENT_CERT, "GET", path)).get("sha256").asText())
                        .isEqualTo(q.get("sha256").asText());
                assertThat(QueryApiIT.sha256Padded(send(asked, Caller.READ_TOKEN, "GET", path + "/raw").body()))
                        .isEqualTo(q.get("sha256").asText());
            }
        }
    }

    @Test
    void aStateChangeLeavesAnAuditLine() throws Exception {
        Logger audit = (Logger) LoggerFactory.getLogger(ApiGuard.AUDIT_LOGGER);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        audit.addAppender(lines);
        ch.qos.logback.classic.Level level = audit.getLevel();
        audit.setLevel(ch.qos.logback.classic.Level.INFO); // as the CLI's logback.xml sets it
        try {
            send(a, Caller.READ_TOKEN, "DELETE", "/v1/targets/" + TARGET + "/bitmaps/img1/b1m");
            send(a, Caller.ADMIN_TOKEN, "DELETE", "/v1/targets/" + TARGET + "/bitmaps/img1/gone");
        } finally {
            audit.detachAppender(lines);
            audit.setLevel(level);
        }
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "principal=backup role=read method=DELETE path=/v1/targets/" + TARGET + "/bitmaps/img1/b1m status=403 "
                        + "remote=127.0.0.1",
                "principal=operator role=admin method=DELETE path=/v1/targets/" + TARGET + "/bitmaps/img1/gone "
                        + "status=404 remote=127.0.0.1");
        assertThat(lines.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(ADMIN, READ));
    }

    @Test
    void slowReadersGetTheirSlotsOnlyAndHealthStaysFast() throws Exception {
        String extents = "/v1/targets/" + TARGET + "/bitmaps/big/alternating/extents";
        SSLContext tls = ClientTls.context(pki.serverDir().resolve("ca-cert.pem"), null, null);
        List<SSLSocket> slow = new ArrayList<>();
        try {
            int held = 0;
            int refused = 0;
            for (int i = 0; i < 40; i++) {
                SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket();
                s.setReceiveBufferSize(4096);
                s.connect(new java.net.InetSocketAddress("127.0.0.1", URI.create(a.baseUrl()).getPort()), 5000);
                slow.add(s);
                OutputStream out = s.getOutputStream();
                out.write(("GET " + extents + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + READ
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String status = statusLine(s.getInputStream());
                if (status.startsWith("HTTP/1.1 200")) {
                    held++; // then reads nothing more: a slow reader
                } else {
                    assertThat(status).startsWith("HTTP/1.1 429");
                    refused++;
                }
            }
            assertThat(held).as("streams held").isEqualTo(2);
            assertThat(refused).isEqualTo(38);
            long t0 = System.nanoTime();
            assertThat(send(a, Caller.NONE, "GET", "/health/live").statusCode()).isEqualTo(200);
            assertThat(send(a, Caller.NONE, "GET", "/health/ready").statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("health while every stream is taken")
                    .isLessThan(Duration.ofSeconds(5));
            // a burst of raw requests meanwhile: each answered at once with 429 and Retry-After
            List<CompletableFuture<HttpResponse<byte[]>>> burst = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                burst.add(https.sendAsync(request(a, Caller.READ_TOKEN, "GET",
                        "/v1/targets/" + TARGET + "/bitmaps/big/alternating/raw"), HttpResponse.BodyHandlers.ofByteArray()));
            }
            for (CompletableFuture<HttpResponse<byte[]>> f : burst) {
                HttpResponse<byte[]> r = f.get();
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(json(r).get("error").asText()).contains("at most 2 streaming responses");
            }
            // lighter requests are not streams: they still go through
            assertThat(send(a, Caller.READ_TOKEN, "GET", "/v1/targets").statusCode()).isEqualTo(200);
        } finally {
            for (SSLSocket s : slow) {
                s.close();
            }
        }
        // once the slow readers are gone their slots are free again
        QueryApiIT.await(() -> {
            try {
                HttpResponse<byte[]> r = send(a, Caller.READ_TOKEN, "GET",
                        "/v1/targets/" + TARGET + "/bitmaps/big/alternating/raw");
                return r.statusCode() == 200 && r.body().length == BIG_BYTES;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static String statusLine(InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString().strip();
    }

    private static JsonNode expected(String name) throws Exception {
        for (JsonNode q : QemuTestData.expected("img1.qcow2")) {
            if (q.get("name").asText().equals(name)) {
                return q;
            }
        }
        throw new AssertionError(name);
    }

    private static HttpResponse<byte[]> send(QueryingDestination d, Caller caller, String method, String path)
            throws Exception {
        HttpClient client = caller == Caller.CLIENT_CERT ? withCertificate : https;
        return client.send(request(d, caller, method, path), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest request(QueryingDestination d, Caller caller, String method, String path) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(d.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60));
        return switch (caller) {
            case WRONG_TOKEN -> r.header("Authorization", "Bearer " + AccessFile.newToken()).build();
            case READ_TOKEN -> r.header("Authorization", "Bearer " + READ).build();
            case ADMIN_TOKEN -> r.header("Authorization", "Bearer " + ADMIN).build();
            default -> r.build();
        };
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return QueryRoutes.JSON.readTree(r.body());
    }
}
