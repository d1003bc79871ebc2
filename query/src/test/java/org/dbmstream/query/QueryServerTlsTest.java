package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.streams.state.HostInfo;
import org.dbmstream.testkit.TlsCredentials;
import org.dbmstream.tls.PemFiles;
import org.dbmstream.tls.ServerTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's HTTPS as cert-manager renews it: the server reads its PEM files again when they change and serves
 * the new certificate on the next handshake, without a restart; files caught half-written or broken keep the
 * previous certificate. Only TLS 1.2 and 1.3 are spoken. (Certificates made by openssl in the test.)
 */
class QueryServerTlsTest {
    @TempDir
    Path tmp;

    @Test
    void aRenewedCertificateIsServedWithoutARestart() throws Exception {
        assumeTrue(TlsCredentials.available(), "openssl is not installed");
        TlsCredentials first = TlsCredentials.create(tmp.resolve("first"));
        TlsCredentials second = TlsCredentials.create(tmp.resolve("second"));
        Path cert = tmp.resolve("tls.crt");
        Path key = tmp.resolve("tls.key");
        install(first, cert, key);
        ApiSecurity security = ApiSecurity.DEFAULTS.withTls(cert, key, null)
                .withReloadInterval(Duration.ofMillis(100));
        try (DestinationMetrics metrics = new DestinationMetrics();
             QueryServer server = new QueryServer(new QueryRoutes(new LocalReplica(() -> null),
                     new Peers(() -> null, () -> new HostInfo("127.0.0.1", 1)), null), metrics, () -> true,
                     () -> false, ApiGuard.create(security), ServerTls.start(cert, key, null, Duration.ofMillis(100)),
                     security)) {
            int port = server.start("127.0.0.1", 0);
            SSLContext bothCas = trusting(first, second);
            assertThat(served(bothCas, port, "TLSv1.3")).isEqualTo(certificate(first));
            assertThat(served(bothCas, port, "TLSv1.2")).isEqualTo(certificate(first));
            assertThat(tryServed(bothCas, port, "TLSv1.1")).as("TLS 1.1 is refused").isNull();

            // the key first, then the certificate, as a careless copy would: never a broken server
            Files.copy(second.serverDir().resolve("server-key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
            Thread.sleep(300);
            assertThat(served(bothCas, port, "TLSv1.3")).isEqualTo(certificate(first));
            Files.copy(second.serverDir().resolve("server-cert.pem"), cert, StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!served(bothCas, port, "TLSv1.3").equals(certificate(second))) {
                assertThat(System.nanoTime()).as("the new certificate within 10 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            Files.writeString(cert, "not a certificate");
            Thread.sleep(300);
            assertThat(served(bothCas, port, "TLSv1.3")).as("a broken file keeps the last good pair")
                    .isEqualTo(certificate(second));
            assertThat(served(trusting(second), port, "TLSv1.2")).isEqualTo(certificate(second));
        }
    }

    private static void install(TlsCredentials pki, Path cert, Path key) throws Exception {
        Files.copy(pki.serverDir().resolve("server-cert.pem"), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(pki.serverDir().resolve("server-key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
    }

    private static X509Certificate certificate(TlsCredentials pki) throws Exception {
        return PemFiles.certificates(pki.serverDir().resolve("server-cert.pem"), "server certificate").get(0);
    }

    private static SSLContext trusting(TlsCredentials... pkis) throws Exception {
        List<X509Certificate> cas = new java.util.ArrayList<>();
        for (TlsCredentials p : pkis) {
            cas.addAll(PemFiles.certificates(p.serverDir().resolve("ca-cert.pem"), "CA certificate"));
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(PemFiles.trustStore(cas));
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, f.getTrustManagers(), null);
        return c;
    }

    private static X509Certificate served(SSLContext context, int port, String protocol) throws Exception {
        X509Certificate c = tryServed(context, port, protocol);
        assertThat(c).as("handshake with " + protocol).isNotNull();
        return c;
    }

    /** The certificate of a fresh handshake, or null when the server refuses the protocol. */
    private static X509Certificate tryServed(SSLContext context, int port, String protocol) throws Exception {
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setEnabledProtocols(new String[] {protocol});
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        } catch (SSLHandshakeException | IllegalArgumentException e) {
            return null;
        }
    }
}
