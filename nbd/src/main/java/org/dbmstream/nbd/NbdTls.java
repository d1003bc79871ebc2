package org.dbmstream.nbd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.dbmstream.tls.ClientTls;
import org.dbmstream.tls.TlsFileException;

/**
 * TLS credentials of an NBD client, as qemu's {@code tls-creds-x509} (endpoint=client) has them: the CA
 * certificate that signed the server's certificate (null: the JVM's default trust store), optionally a client
 * certificate and key for servers started with {@code verify-peer=on}, and the host name the server's
 * certificate must carry (null: the URI's host for TCP; no name check for Unix sockets, as qemu does).
 */
public record NbdTls(Path caCert, Path clientCert, Path clientKey, String hostname) {
    /** The file names of a qemu credentials directory ({@code tls-creds-x509,dir=DIR,endpoint=client}). */
    public static final String CA_CERT = "ca-cert.pem";
    public static final String CLIENT_CERT = "client-cert.pem";
    public static final String CLIENT_KEY = "client-key.pem";

    /** No settings: the JVM's trust store, no client certificate, the URI's host name. */
    public static final NbdTls DEFAULTS = new NbdTls(null, null, null, null);

    /**
     * The credentials in a directory of qemu's layout: {@value #CA_CERT} (required), {@value #CLIENT_CERT}
     * and {@value #CLIENT_KEY} (used when present; both or neither).
     */
    public static NbdTls fromDirectory(final Path dir) throws NbdException {
        if (!Files.isDirectory(dir)) {
            throw new NbdException("TLS credentials directory " + dir + " does not exist (it holds " + CA_CERT
                    + " and, for verify-peer=on servers, " + CLIENT_CERT + " and " + CLIENT_KEY + ")");
        }
        final Path ca = dir.resolve(CA_CERT);
        if (!Files.exists(ca)) {
            throw new NbdException("TLS credentials directory " + dir + " has no " + CA_CERT
                    + " (the CA certificate that signed the server's certificate)");
        }
        final Path cert = dir.resolve(CLIENT_CERT);
        final Path key = dir.resolve(CLIENT_KEY);
        if (Files.exists(cert) != Files.exists(key)) {
            throw new NbdException("TLS credentials directory " + dir + " has " + (Files.exists(cert) ? CLIENT_CERT
                    + " but no " + CLIENT_KEY : CLIENT_KEY + " but no " + CLIENT_CERT) + "; give both or neither");
        }
        return Files.exists(cert) ? new NbdTls(ca, cert, key, null) : new NbdTls(ca, null, null, null);
    }

    /** These settings, with the ones left out taken from {@code defaults}. */
    public NbdTls orElse(final NbdTls defaults) {
        final boolean ownClient = clientCert != null || clientKey != null;
        return new NbdTls(caCert != null ? caCert : defaults.caCert,
                ownClient ? clientCert : defaults.clientCert, ownClient ? clientKey : defaults.clientKey,
                hostname != null ? hostname : defaults.hostname);
    }

    /**
     * A client engine for the server at {@code host} (null for Unix sockets); the certificate chain is always
     * checked, the host name when {@link #hostname} or {@code host} gives one.
     */
    SSLEngine engine(final String host, final int port) throws NbdException {
        if ((clientCert == null) != (clientKey == null)) {
            throw new NbdException("a TLS client certificate needs its key and a key its certificate (got "
                    + (clientCert != null ? "certificate " + clientCert + " only" : "key " + clientKey + " only") + ")");
        }
        final String name = hostname != null ? hostname : host;
        try {
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(ClientTls.keyManagers(clientCert, clientKey), ClientTls.trustManagers(caCert), null);
            final SSLEngine engine = name != null ? context.createSSLEngine(name, port) : context.createSSLEngine();
            engine.setUseClientMode(true);
            final SSLParameters p = engine.getSSLParameters();
            if (name != null) {
                p.setEndpointIdentificationAlgorithm("HTTPS");
                if (!isIpLiteral(name)) {
                    p.setServerNames(List.of(new SNIHostName(name)));
                }
            }
            engine.setSSLParameters(p);
            return engine;
        } catch (TlsFileException e) {
            throw new NbdException(e.getMessage(), e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new NbdException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** Where trust comes from, for messages. */
    String trustSource() {
        return caCert != null ? "CA certificate " + caCert : "the JVM's default trust store (no CA certificate given)";
    }

    private static boolean isIpLiteral(final String name) {
        return name.contains(":") || name.matches("[0-9.]+");
    }
}
