package org.dbmstream.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS client's context from PEM files: the CA certificate(s) a server's certificate must chain to (null:
 * the JVM's default trust store) and optionally a client certificate with its key (mutual TLS). TLS 1.2 and
 * 1.3 only.
 */
public final class ClientTls {
    private ClientTls() {
    }

    /** A context trusting {@code caCert} (null: the JVM's trust store), presenting {@code cert}+{@code key} if given. */
    public static SSLContext context(final Path caCert, final Path cert, final Path key) throws TlsFileException {
        try {
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers(cert, key), trustManagers(caCert), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new TlsFileException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** Trust in {@code caCert}'s certificates (null: the JVM's default trust store). */
    public static TrustManager[] trustManagers(final Path caCert) throws TlsFileException, GeneralSecurityException {
        final TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(caCert == null ? null : PemFiles.trustStore(PemFiles.certificates(caCert, "CA certificate")));
        return f.getTrustManagers();
    }

    /** The key managers presenting {@code cert} with {@code key} (null when neither is given). */
    public static KeyManager[] keyManagers(final Path cert, final Path key)
            throws TlsFileException, GeneralSecurityException {
        if (cert == null && key == null) {
            return null;
        }
        if (cert == null || key == null) {
            throw new TlsFileException("a TLS client certificate needs its key and a key its certificate (got "
                    + (cert != null ? "certificate " + cert + " only" : "key " + key + " only") + ")");
        }
        final KeyStore store = PemFiles.keyStore(PemFiles.privateKey(key, "client key"),
                PemFiles.certificates(cert, "client certificate"));
        final KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        f.init(store, new char[0]);
        return f.getKeyManagers();
    }
}
