package org.dbmstream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.dbmstream.query.ApiSecurity;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The query API's protection as {@code dbm destination} takes it (DESIGN.md section 13; README "Securing the
 * query API"): HTTPS from PEM files, client certificates, the access file, the instances' peer token, and limits.
 */
final class ApiServerOptions {
    /** The roles of the files cert-manager writes into a TLS Secret. */
    static final String TLS_CRT = "tls.crt";
    static final String TLS_KEY = "tls.key";
    static final String CA_CRT = "ca.crt";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--api-tls-dir", paramLabel = "DIR",
            description = "Serve HTTPS with the files a cert-manager TLS Secret holds: " + TLS_CRT + ", " + TLS_KEY
                + " and, if present, " + CA_CRT + " (trusted when instances forward to each other). Reloaded when "
                + "they change.")
    Path tlsDir;

    @Option(names = "--api-tls-cert", paramLabel = "FILE", description = "Serve HTTPS with this PEM certificate chain "
            + "(with --api-tls-key; reloaded when it changes).")
    Path tlsCert;

    @Option(names = "--api-tls-key", paramLabel = "FILE", description = "PEM private key of --api-tls-cert.")
    Path tlsKey;

    @Option(names = "--api-tls-ca", paramLabel = "FILE", description = "PEM CA the instances' certificates chain "
            + "to, trusted when they forward requests to each other (default: the JVM's trust store).")
    Path tlsCa;

    @Option(names = "--api-client-ca", paramLabel = "FILE", description = "Verify client certificates against this "
            + "PEM CA (mutual TLS); a certificate's common name gets its role from the access file (cn=NAME).")
    Path clientCa;

    @Option(names = "--api-client-auth", paramLabel = "optional|required", defaultValue = "optional",
            description = "With --api-client-ca: whether a client without a certificate may still use a token "
                + "(optional, default) or is refused at the handshake (required).")
    String clientAuth;

    @Option(names = "--api-access", paramLabel = "FILE", description = "Require authentication: token hashes and "
            + "certificate names with their role, read or admin (`dbm api token` makes lines). Without it the API is "
            + "read-only. Reloaded when it changes.")
    Path accessFile;

    @Option(names = "--api-peer-token-file", paramLabel = "FILE", description = "Token the instances present to each "
            + "other when forwarding (the same file on every instance; default: the caller's own token).")
    Path peerTokenFile;

    @Option(names = "--api-protect-metrics", description = "/metrics needs a credential of role read (default: open, "
            + "like the health probes).")
    boolean protectMetrics;

    @Option(names = "--api-max-streams", paramLabel = "N", defaultValue = "8", description = "Extents and raw "
            + "answers streamed at once by this instance; more get 429 with Retry-After (default: ${DEFAULT-VALUE}).")
    int maxStreams;

    @Option(names = "--api-max-requests", paramLabel = "N", defaultValue = "64", description = "/v1 requests served "
            + "at once by this instance; more get 429 (default: ${DEFAULT-VALUE}). Health probes never wait for them.")
    int maxRequests;

    @Option(names = "--api-idle-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "Close a connection that moves no byte for this long "
                + "(default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--api-request-timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "Cut an answer still streaming after this long "
                + "(default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--api-reload-interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "How often the TLS and access files are checked for "
                + "changes (default: ${DEFAULT-VALUE}).")
    Duration reloadInterval;

    /** The settings; contradictory or unreadable ones are bad arguments. */
    ApiSecurity security() {
        Path cert = tlsCert;
        Path key = tlsKey;
        Path ca = tlsCa;
        if (tlsDir != null) {
            if (tlsCert != null || tlsKey != null) {
                throw bad("--api-tls-dir and --api-tls-cert/--api-tls-key: give one or the other");
            }
            if (!Files.isDirectory(tlsDir)) {
                throw bad("--api-tls-dir " + tlsDir + ": no such directory");
            }
            cert = tlsDir.resolve(TLS_CRT);
            key = tlsDir.resolve(TLS_KEY);
            if (ca == null && Files.exists(tlsDir.resolve(CA_CRT))) {
                ca = tlsDir.resolve(CA_CRT);
            }
        }
        if ((cert == null) != (key == null)) {
            throw bad(cert != null ? "--api-tls-cert needs --api-tls-key" : "--api-tls-key needs --api-tls-cert");
        }
        if (clientCa != null && cert == null) {
            throw bad("--api-client-ca needs HTTPS (--api-tls-dir or --api-tls-cert/--api-tls-key)");
        }
        if (!clientAuth.equals("optional") && !clientAuth.equals("required")) {
            throw bad("--api-client-auth: '" + clientAuth + "' is neither optional nor required");
        }
        if (peerTokenFile != null && accessFile == null) {
            throw bad("--api-peer-token-file needs --api-access (without authentication nothing checks it)");
        }
        if (maxStreams < 1 || maxRequests < 1) {
            throw bad("--api-max-streams and --api-max-requests must be at least 1");
        }
        for (final Path f : new Path[] {cert, key, ca, clientCa, accessFile, peerTokenFile}) {
            if (f != null) {
                ArgumentChecks.readable(spec, option(f, cert, key, ca), f);
            }
        }
        try {
            // read every file once now: a bad one is a bad argument, found before anything starts
            if (cert != null) {
                org.dbmstream.tls.ServerTls.start(cert, key, clientCa, reloadInterval).close();
                org.dbmstream.tls.ClientTls.trustManagers(ca);
            }
            if (accessFile != null) {
                org.dbmstream.query.AccessFile.load(accessFile);
            }
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw bad(e.getMessage());
        }
        return ApiSecurity.DEFAULTS.withTls(cert, key, ca).withClientCa(clientCa, clientAuth.equals("required"))
                .withAccess(accessFile, peerTokenFile, protectMetrics)
                .withLimits(maxStreams, maxRequests, idleTimeout, requestTimeout).withReloadInterval(reloadInterval);
    }

    private String option(final Path f, final Path cert, final Path key, final Path ca) {
        return f == cert ? (tlsDir != null ? "--api-tls-dir (" + TLS_CRT + ")" : "--api-tls-cert")
                : f == key ? (tlsDir != null ? "--api-tls-dir (" + TLS_KEY + ")" : "--api-tls-key")
                : f == ca ? "--api-tls-ca" : f == clientCa ? "--api-client-ca" : f == accessFile ? "--api-access"
                : "--api-peer-token-file";
    }

    private ParameterException bad(final String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
