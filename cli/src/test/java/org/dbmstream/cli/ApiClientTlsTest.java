package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import org.dbmstream.testkit.TlsCredentials;
import org.dbmstream.tls.ServerTls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbm bitmaps} over HTTPS against a JDK HTTPS server holding certificates openssl made for the test: the
 * right CA and client certificate work; an untrusted certificate, a host name the certificate does not carry, a
 * missing client certificate and plain HTTP on the HTTPS port each end with exit 1 and a line naming what did not
 * fit and the option that changes it.
 */
class ApiClientTlsTest {
    @TempDir
    static Path tmp;
    private static TlsCredentials pki;

    @BeforeAll
    static void credentials() throws Exception {
        assumeTrue(TlsCredentials.available(), "openssl is not installed");
        pki = TlsCredentials.create(tmp);
    }

    @Test
    void certificateProblemsAreNamedWithTheOptionThatFixesThem() throws Exception {
        try (Server s = new Server(InetAddress.getLoopbackAddress(), false)) {
            final String url = "https://127.0.0.1:" + s.port();
            DbmRun r = DbmRun.of("bitmaps", "list", "--url", url);
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("TLS with " + url + " failed: its certificate is not signed by a CA this "
                    + "client trusts").contains("give the CA certificate with --cacert FILE");
            r = DbmRun.of("bitmaps", "list", "--url", url, "--cacert", ca().toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("TARGET").contains("vm-1");
            r = DbmRun.of("bitmaps", "list", "--url", url, "--cacert", pki.otherCaDir().resolve("ca-cert.pem").toString());
            assertThat(r.err()).contains("not signed by a CA this client trusts (--cacert "
                    + pki.otherCaDir().resolve("ca-cert.pem") + ")");
            r = DbmRun.of("bitmaps", "list", "--url", "http://127.0.0.1:" + s.port(), "--timeout", "5s");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("if it serves HTTPS, use https:// in --url");
        }
    }

    @Test
    void aHostNameTheCertificateDoesNotCarryIsNamed() throws Exception {
        // the certificate names localhost and 127.0.0.1, not 127.0.0.2
        try (Server s = new Server(InetAddress.getByName("127.0.0.2"), false)) {
            final DbmRun r = DbmRun.of("bitmaps", "list", "--url", "https://127.0.0.2:" + s.port(), "--cacert",
                    ca().toString());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("its certificate does not name the host '127.0.0.2'");
        }
    }

    @Test
    void aServerThatRequiresAClientCertificateSaysSo() throws Exception {
        try (Server s = new Server(InetAddress.getLoopbackAddress(), true)) {
            final String url = "https://localhost:" + s.port();
            DbmRun r = DbmRun.of("bitmaps", "list", "--url", url, "--cacert", ca().toString());
            assertThat(r.exit()).isEqualTo(1);
            // TLS 1.3: the JDK's server drops the connection after the handshake; Jetty sends certificate_required
            assertThat(r.err()).contains(url).contains("client certificate (give --cert FILE --key FILE)");
            r = DbmRun.of("bitmaps", "list", "--url", url, "--cacert", ca().toString(), "--cert",
                    pki.clientDir().resolve("client-cert.pem").toString(), "--key",
                    pki.clientDir().resolve("client-key.pem").toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("vm-1");
        }
    }

    private static Path ca() {
        return pki.serverDir().resolve("ca-cert.pem");
    }

    /** An HTTPS server answering {@code GET /v1/targets} as the query API does. */
    private static final class Server implements AutoCloseable {
        private final HttpsServer server;
        private final ServerTls tls;

        Server(InetAddress address, boolean needClientCertificate) throws Exception {
            tls = ServerTls.start(pki.serverDir().resolve("server-cert.pem"), pki.serverDir().resolve("server-key.pem"),
                    needClientCertificate ? ca() : null, Duration.ofMinutes(1));
            server = HttpsServer.create(new InetSocketAddress(address, 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls.context()) {
                @Override
                public void configure(HttpsParameters params) {
                    SSLParameters p = tls.context().getDefaultSSLParameters();
                    p.setNeedClientAuth(needClientCertificate);
                    params.setSSLParameters(p);
                }
            });
            server.createContext("/", ex -> {
                byte[] body = "[{\"target\": \"vm-1\", \"bitmaps\": 2}]".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(body);
                }
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
            tls.close();
        }
    }
}
