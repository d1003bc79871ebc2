package org.dbmstream.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.testkit.QemuNbdServer;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.QemuTools;
import org.dbmstream.testkit.TlsCredentials;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NBD over TLS against a real qemu-nbd with x509 credentials made at test time: the bitmaps read are QEMU's
 * (sha256/count from testdata), and every way TLS can go wrong is refused with a message naming the cause.
 */
class NbdTlsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String IMAGE = "img1";

    @TempDir
    static Path shared;
    static TlsCredentials creds;
    static Path image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void qemuAndCertificates() throws Exception {
        assumeTrue(QemuTools.available("qemu-nbd"), "qemu-nbd is not installed");
        assumeTrue(TlsCredentials.available(), "openssl is not installed");
        creds = TlsCredentials.create(shared);
        image = QemuTestData.image(IMAGE, shared);
    }

    private static String[] bitmaps() {
        return QemuTestData.expected(IMAGE + ".qcow2").stream().map(e -> e.get("name").asText()).toArray(String[]::new);
    }

    @Test
    void serverVerifiedWithTheCaGivesQemusBitmaps() throws Exception {
        try (QemuNbdServer server = QemuNbdServer.startTls(image, IMAGE, tmp, creds.serverDir(), false, bitmaps())) {
            // the CA from the caller's settings (command-line options, connector config)
            final NbdUri uri = NbdUri.parse(server.tlsUri("")).withTlsDefaults(NbdTls.fromDirectory(creds.caOnlyDir()));
            NbdDirtyBitmapIT.assertEveryBitmapMatchesQemu(uri, IMAGE, tmp);
            assertThat(NbdDirtyBitmap.list(uri, TIMEOUT)).containsExactlyInAnyOrder(bitmaps());
            // the same through libnbd's URI parameters, with the host name checked
            NbdDirtyBitmapIT.assertEveryBitmapMatchesQemu(NbdUri.parse(server.tlsUri("tls-certificates="
                    + creds.caOnlyDir() + "&tls-hostname=localhost")), IMAGE, tmp);
        }
    }

    @Test
    void mutualTlsNeedsTheClientCertificate() throws Exception {
        try (QemuNbdServer server = QemuNbdServer.startTls(image, IMAGE, tmp, creds.serverDir(), true, bitmaps())) {
            NbdDirtyBitmapIT.assertEveryBitmapMatchesQemu(NbdUri.parse(server.tlsUri(""))
                    .withTlsDefaults(NbdTls.fromDirectory(creds.clientDir())), IMAGE, tmp);
            assertThatThrownBy(() -> readFirst(NbdUri.parse(server.tlsUri(""))
                    .withTlsDefaults(NbdTls.fromDirectory(creds.caOnlyDir()))))
                    .isInstanceOf(NbdException.class)
                    .hasMessageContaining("verify-peer=on")
                    .hasMessageContaining("--tls-cert and --tls-key");
        }
    }

    @Test
    void wrongCaAndWrongHostNameAreNamed() throws Exception {
        try (QemuNbdServer server = QemuNbdServer.startTls(image, IMAGE, tmp, creds.serverDir(), false, bitmaps())) {
            assertThatThrownBy(() -> readFirst(NbdUri.parse(server.tlsUri(""))
                    .withTlsDefaults(NbdTls.fromDirectory(creds.otherCaDir()))))
                    .isInstanceOf(NbdException.class)
                    .hasMessageContaining("is not signed by a CA dbm trusts")
                    .hasMessageContaining(creds.otherCaDir().resolve("ca-cert.pem").toString());
            assertThatThrownBy(() -> readFirst(NbdUri.parse(server.tlsUri("tls-hostname=nbd.example.org"))
                    .withTlsDefaults(NbdTls.fromDirectory(creds.caOnlyDir()))))
                    .isInstanceOf(NbdException.class)
                    .hasMessageContaining("does not name host 'nbd.example.org'");
        }
    }

    @Test
    void plainNbdToATlsServerPointsToNbds() throws Exception {
        try (QemuNbdServer server = QemuNbdServer.startTls(image, IMAGE, tmp, creds.serverDir(), false, bitmaps())) {
            assertThatThrownBy(() -> readFirst(NbdUri.parse(server.uri(""))))
                    .isInstanceOf(NbdException.class)
                    .hasMessageContaining("requires TLS (NBD_REP_ERR_TLS_REQD")
                    .hasMessageContaining("nbds+unix://")
                    .hasMessageContaining("--tls-creds-dir");
        }
    }

    @Test
    void nbdsToAServerWithoutTlsIsRefusedNotDowngraded() throws Exception {
        try (QemuNbdServer server = QemuNbdServer.start(image, IMAGE, tmp, bitmaps())) {
            assertThatThrownBy(() -> readFirst(NbdUri.parse(server.tlsUri(""))
                    .withTlsDefaults(NbdTls.fromDirectory(creds.caOnlyDir()))))
                    .isInstanceOf(NbdException.class)
                    .hasMessageContaining("does not offer TLS")
                    .hasMessageContaining("never falls back to plaintext");
        }
    }

    private NbdDirtyBitmap.Result readFirst(final NbdUri uri) throws Exception {
        final var e = QemuTestData.expected(IMAGE + ".qcow2").get(0);
        return NbdDirtyBitmap.read(uri, e.get("name").asText(), Granularity.of(e.get("granularity").asLong()),
                tmp.resolve("first.raw"), TIMEOUT);
    }
}
