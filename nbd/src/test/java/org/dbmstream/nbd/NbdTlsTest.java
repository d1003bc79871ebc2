package org.dbmstream.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS credentials: qemu's directory layout, PEM keys in PKCS#8 and PKCS#1, and errors naming the file. */
class NbdTlsTest {
    @TempDir
    Path tmp;

    @Test
    void aQemuCredentialsDirectoryIsReadByItsFileNames() throws Exception {
        Files.writeString(tmp.resolve("ca-cert.pem"), "x");
        assertThat(NbdTls.fromDirectory(tmp)).isEqualTo(new NbdTls(tmp.resolve("ca-cert.pem"), null, null, null));
        Files.writeString(tmp.resolve("client-cert.pem"), "x");
        assertThatThrownBy(() -> NbdTls.fromDirectory(tmp)).hasMessageContaining("has client-cert.pem but no client-key.pem");
        Files.writeString(tmp.resolve("client-key.pem"), "x");
        assertThat(NbdTls.fromDirectory(tmp).clientKey()).isEqualTo(tmp.resolve("client-key.pem"));
        Files.delete(tmp.resolve("ca-cert.pem"));
        assertThatThrownBy(() -> NbdTls.fromDirectory(tmp)).hasMessageContaining("has no ca-cert.pem");
        assertThatThrownBy(() -> NbdTls.fromDirectory(tmp.resolve("nope"))).hasMessageContaining("nope does not exist");
    }

    @Test
    void missingOrDamagedFilesAreNamed() throws Exception {
        final Path missing = tmp.resolve("missing-ca.pem");
        assertThatThrownBy(() -> new NbdTls(missing, null, null, null).engine("h", 1))
                .isInstanceOf(NbdException.class).hasMessageContaining("CA certificate file " + missing + " does not exist");
        final Path junk = Files.writeString(tmp.resolve("junk.pem"), "not a certificate");
        assertThatThrownBy(() -> new NbdTls(junk, null, null, null).engine("h", 1))
                .hasMessageContaining("file " + junk + " is not a PEM certificate");
        assertThatThrownBy(() -> new NbdTls(null, junk, null, null).engine("h", 1))
                .hasMessageContaining("needs its key");
    }

    @Test
    void privateKeysInPkcs8AndPkcs1AreRead() throws Exception {
        final KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        final PrivateKey key = g.generateKeyPair().getPrivate();
        final byte[] pkcs8 = key.getEncoded();
        assertThat(PemFiles.privateKey(pem(tmp.resolve("k8.pem"), "PRIVATE KEY", pkcs8))).isEqualTo(key);
        // a 2048-bit PKCS#8 RSA key: SEQUENCE(4) version(3) algorithm(15) OCTET STRING header(4), then PKCS#1
        final byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
        assertThat(PemFiles.privateKey(pem(tmp.resolve("k1.pem"), "RSA PRIVATE KEY", pkcs1))).isEqualTo(key);
    }

    @Test
    void keyFormsJavaCannotReadSayHowToConvert() throws Exception {
        final Path ec = pem(tmp.resolve("ec.pem"), "EC PRIVATE KEY", new byte[] {1, 2, 3});
        assertThatThrownBy(() -> PemFiles.privateKey(ec)).hasMessageContaining(ec + " holds a 'EC PRIVATE KEY' key")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        final Path enc = pem(tmp.resolve("enc.pem"), "ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3});
        assertThatThrownBy(() -> PemFiles.privateKey(enc)).hasMessageContaining("is encrypted");
        final Path none = Files.writeString(tmp.resolve("none.pem"), "hello");
        assertThatThrownBy(() -> PemFiles.privateKey(none)).hasMessageContaining("holds no PEM private key");
    }

    private static Path pem(final Path file, final String type, final byte[] der) throws Exception {
        return Files.writeString(file, "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n");
    }
}
