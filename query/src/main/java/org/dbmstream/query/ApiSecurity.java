package org.dbmstream.query;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the query API protects itself (DESIGN.md section 13): HTTPS from PEM files reloaded when they change,
 * optional client certificates (mTLS), the access file of token hashes and certificate names with their roles,
 * the token instances use to forward requests to each other, whether {@code /metrics} needs a credential, and
 * the limits that keep one instance answering under load. {@link #DEFAULTS}: plain HTTP, no authentication
 * (so the API is read-only), 8 streaming responses and 64 requests at once, 30 s idle timeout, 10 minutes per
 * response.
 *
 * @param tlsCert            PEM certificate chain (null: plain HTTP)
 * @param tlsKey             its PEM private key
 * @param tlsCa              PEM CA the instances' certificates chain to, trusted when forwarding (null: the JVM's)
 * @param clientCa           PEM CA client certificates must chain to (null: no client certificates)
 * @param clientCertRequired refuse TLS handshakes without a client certificate (else one is optional)
 * @param accessFile         token hashes and certificate names with roles (null: no authentication, read-only)
 * @param peerTokenFile      file holding the token instances present to each other (null: the caller's token)
 * @param metricsProtected   {@code /metrics} needs role read
 * @param maxStreams         extents and raw responses streamed at once; more get 429
 * @param maxRequests        {@code /v1} requests served at once; more get 429
 * @param idleTimeout        a connection that moves no byte for this long is closed
 * @param requestTimeout     a response still streaming after this long is cut
 * @param reloadInterval     how often the TLS and access files are checked for changes
 */
public record ApiSecurity(Path tlsCert, Path tlsKey, Path tlsCa, Path clientCa, boolean clientCertRequired,
        Path accessFile, Path peerTokenFile, boolean metricsProtected, int maxStreams, int maxRequests,
        Duration idleTimeout, Duration requestTimeout, Duration reloadInterval) {

    public static final ApiSecurity DEFAULTS = new ApiSecurity(null, null, null, null, false, null, null, false, 8, 64,
            Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofSeconds(10));

    public ApiSecurity {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("HTTPS needs both a certificate and its key");
        }
        if (clientCa != null && tlsCert == null) {
            throw new IllegalArgumentException("client certificates need HTTPS (a server certificate and key)");
        }
        if (maxStreams < 1 || maxRequests < 1) {
            throw new IllegalArgumentException("the limits of streams and requests must be at least 1");
        }
    }

    /** Whether the API serves HTTPS. */
    public boolean tls() {
        return tlsCert != null;
    }

    /** Whether requests authenticate (an access file is given); without it the API is read-only. */
    public boolean authenticates() {
        return accessFile != null;
    }

    public ApiSecurity withTls(final Path cert, final Path key, final Path ca) {
        return new ApiSecurity(cert, key, ca, clientCa, clientCertRequired, accessFile, peerTokenFile, metricsProtected,
                maxStreams, maxRequests, idleTimeout, requestTimeout, reloadInterval);
    }

    public ApiSecurity withClientCa(final Path ca, final boolean required) {
        return new ApiSecurity(tlsCert, tlsKey, tlsCa, ca, required, accessFile, peerTokenFile, metricsProtected,
                maxStreams, maxRequests, idleTimeout, requestTimeout, reloadInterval);
    }

    public ApiSecurity withAccess(final Path access, final Path peerToken, final boolean protectMetrics) {
        return new ApiSecurity(tlsCert, tlsKey, tlsCa, clientCa, clientCertRequired, access, peerToken, protectMetrics,
                maxStreams, maxRequests, idleTimeout, requestTimeout, reloadInterval);
    }

    public ApiSecurity withLimits(final int streams, final int requests, final Duration idle, final Duration request) {
        return new ApiSecurity(tlsCert, tlsKey, tlsCa, clientCa, clientCertRequired, accessFile, peerTokenFile,
                metricsProtected, streams, requests, idle, request, reloadInterval);
    }

    public ApiSecurity withReloadInterval(final Duration interval) {
        return new ApiSecurity(tlsCert, tlsKey, tlsCa, clientCa, clientCertRequired, accessFile, peerTokenFile,
                metricsProtected, maxStreams, maxRequests, idleTimeout, requestTimeout, interval);
    }
}
