package org.dbmstream.export;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a client reaches the destination's query API: a bearer token (null: none), the PEM CA certificate(s) an
 * HTTPS server's certificate must chain to (null: the JVM's trust store), a client certificate and key for
 * mutual TLS (both or neither), how long to wait for a connection and for each read, and the option that
 * names the API's URL in the calling command (for messages: {@code --url}, {@code --replica}).
 */
public record ApiConnection(String token, Path caCert, Path clientCert, Path clientKey, Duration timeout,
        String urlOption) {
    /** No token, the JVM's trust, no client certificate, 30 s, {@code --url}. */
    public static final ApiConnection DEFAULTS = new ApiConnection(null, null, null, null, Duration.ofSeconds(30),
            "--url");

    public ApiConnection withTimeout(final Duration t) {
        return new ApiConnection(token, caCert, clientCert, clientKey, t, urlOption);
    }

    public ApiConnection withUrlOption(final String option) {
        return new ApiConnection(token, caCert, clientCert, clientKey, timeout, option);
    }

    @Override
    public String toString() {
        // never print the token
        return "ApiConnection[token=" + (token == null ? "none" : "***") + ", caCert=" + caCert + ", clientCert="
                + clientCert + ", clientKey=" + clientKey + ", timeout=" + timeout + "]";
    }
}
