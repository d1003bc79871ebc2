package org.dbmstream.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.dbmstream.testkit.TlsCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM keys in PKCS#8, PKCS#1 and SEC1 (openssl's and cert-manager's EC form), and errors naming the file. */
class PemFilesTest {
    @TempDir
    Path tmp;

    @Test
    void privateKeysInPkcs8AndPkcs1AreRead() throws Exception {
        final KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        final PrivateKey key = g.generateKeyPair().getPrivate();
        final byte[] pkcs8 = key.getEncoded();
        assertThat(PemFiles.privateKey(pem(tmp.resolve("k8.pem"), "PRIVATE KEY", pkcs8), "client key")).isEqualTo(key);
        // a 2048-bit PKCS#8 RSA key: SEQUENCE(4) version(3) algorithm(15) OCTET STRING header(4), then PKCS#1
        final byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
        assertThat(PemFiles.privateKey(pem(tmp.resolve("k1.pem"), "RSA PRIVATE KEY", pkcs1), "client key")).isEqualTo(key);
    }

    @Test
    void keyFormsJavaCannotReadSayHowToConvert() throws Exception {
        final Path dsa = pem(tmp.resolve("dsa.pem"), "DSA PRIVATE KEY", new byte[] {1, 2, 3});
        assertThatThrownBy(() -> PemFiles.privateKey(dsa, "client key"))
                .hasMessageContaining("client key file " + dsa + " holds a 'DSA PRIVATE KEY' key")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        final Path ec = pem(tmp.resolve("ec.pem"), "EC PRIVATE KEY", new byte[] {0x30, 0x03, 0x02, 0x01, 0x01});
        assertThatThrownBy(() -> PemFiles.privateKey(ec, "server key")).hasMessageContaining(ec + " holds an EC key "
                + "that names no curve");
        final Path enc = pem(tmp.resolve("enc.pem"), "ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3});
        assertThatThrownBy(() -> PemFiles.privateKey(enc, "client key")).hasMessageContaining("is encrypted");
        final Path none = Files.writeString(tmp.resolve("none.pem"), "hello");
        assertThatThrownBy(() -> PemFiles.privateKey(none, "client key")).hasMessageContaining("holds no PEM private key");
    }

    @Test
    void aSec1EcKeyAsOpensslWritesItIsRead() throws Exception {
        assumeTrue(TlsCredentials.available(), "openssl is not installed");
        final Path key = tmp.resolve("ec.pem");
        final Process p = new ProcessBuilder("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out",
                key.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        assertThat(Files.readString(key)).contains("BEGIN EC PARAMETERS").contains("BEGIN EC PRIVATE KEY");
        final PrivateKey read = PemFiles.privateKey(key, "server key");
        assertThat(read).isInstanceOf(ECPrivateKey.class);
        assertThat(((ECPrivateKey) read).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    }

    private static Path pem(final Path file, final String type, final byte[] der) throws Exception {
        return Files.writeString(file, "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n");
    }
}
