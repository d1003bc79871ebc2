package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dbm destination}'s API options are checked before anything starts (no broker, no Kafka Streams):
 * contradictions and unreadable or malformed files are bad arguments, exit 2, one line naming the option.
 */
class DestinationApiOptionsTest {
    @TempDir
    Path tmp;

    @Test
    void badApiOptionsAreRefusedBeforeAnythingStarts() throws Exception {
        final Path junk = Files.writeString(tmp.resolve("junk.pem"), "junk");
        final Path access = Files.writeString(tmp.resolve("access"), "admin secret-token\n");
        assertBad("--api-tls-key needs --api-tls-cert", "--api-tls-key", junk.toString());
        assertBad("--api-client-ca needs HTTPS", "--api-client-ca", junk.toString());
        assertBad("--api-access " + tmp.resolve("none") + ": no such file", "--api-access",
                tmp.resolve("none").toString());
        assertBad("access file " + access + " line 1: 'secret-token' is neither sha256:HASH nor cn=NAME",
                "--api-access", access.toString());
        assertBad("TLS server certificate file " + junk + " is not a PEM certificate", "--api-tls-cert",
                junk.toString(), "--api-tls-key", junk.toString());
        assertBad("--api-tls-dir " + tmp.resolve("nodir") + ": no such directory", "--api-tls-dir",
                tmp.resolve("nodir").toString());
        assertBad("--api-peer-token-file needs --api-access", "--api-peer-token-file", junk.toString());
        assertBad("--api-max-streams and --api-max-requests must be at least 1", "--api-max-streams", "0");
    }

    private static void assertBad(final String message, final String... options) {
        final String[] args = new String[options.length + 3];
        args[0] = "destination";
        args[1] = "--http-port";
        args[2] = "0";
        System.arraycopy(options, 0, args, 3, options.length);
        final DbmRun r = DbmRun.of(args);
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message);
        assertThat(r.out()).doesNotContain("In-process Kafka broker");
    }
}
