package org.dbmstream.nbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS credentials: qemu's directory layout and errors naming the file (PEM forms: tls's PemFilesTest). */
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
}
