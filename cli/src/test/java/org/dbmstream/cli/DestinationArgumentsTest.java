package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * {@code dbm destination} refuses an HTTP port it cannot listen on before it starts a broker or Kafka
 * Streams: one line naming the option and the address, exit 1 (a bad port number or host: exit 2).
 */
class DestinationArgumentsTest {

    @Test
    void aTakenPortIsOneLineBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            final int port = taken.getLocalPort();

            final DbmRun run = DbmRun.of("destination", "--http-host", "127.0.0.1", "--http-port",
                    String.valueOf(port));

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.out()).as("no broker was started").isEmpty();
            assertThat(run.err().lines()).singleElement().asString()
                    .startsWith("dbm: --http-port " + port + ": cannot listen on 127.0.0.1:" + port + " (")
                    .contains("is another destination running?")
                    .endsWith("choose another port, or --http-port 0 for a free one");
        }
    }

    @Test
    void aNumberThatIsNoPortAndAnUnknownHostAreBadArguments() {
        final DbmRun port = DbmRun.of("destination", "--http-port", "70000");
        assertThat(port.exit()).isEqualTo(2);
        assertThat(port.err()).startsWith("dbm destination: --http-port 70000: not a port (0 to 65535; 0: a free one)");

        final DbmRun host = DbmRun.of("destination", "--http-host", "no-such-host.invalid", "--http-port", "0");
        assertThat(host.exit()).isEqualTo(2);
        assertThat(host.err()).startsWith("dbm destination: --http-host no-such-host.invalid: unknown host");
    }
}
