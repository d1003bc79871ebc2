package org.dbmstream.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The start-up check of a server port: bound and released at once, with the same address reuse as Jetty
 * (connections still in TIME_WAIT do not count), so that a port another process listens on is one clear
 * line before anything else starts.
 */
final class HttpPorts {
    private HttpPorts() {
    }

    /**
     * Throws, naming {@code option}, when {@code host:port} cannot be listened on: a bad argument (exit 2) for
     * a number that is no port or an unknown host, else a failure to start (exit 1). Port 0 is always free.
     */
    static void ensureFree(final CommandSpec spec, final String option, final String host, final int port) {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), option + " " + port
                    + ": not a port (0 to 65535; 0: a free one)");
        }
        final InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), "--http-host " + host + ": unknown host");
        }
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new IllegalStateException(option + " " + port + ": cannot listen on " + host + ":" + port + " ("
                    + e.getMessage() + "; is another destination running?): choose another port, or "
                    + option + " 0 for a free one");
        }
    }
}
