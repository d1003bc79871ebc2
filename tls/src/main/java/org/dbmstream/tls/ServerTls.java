package org.dbmstream.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS server's credentials from PEM files (certificate chain and key, as cert-manager writes {@code tls.crt} and
 * {@code tls.key}; optionally the CA that client certificates must chain to), read again whenever the files
 * change: every {@code interval} the files are compared with what was loaded, and a new pair that reads and
 * matches replaces the old one for every later handshake, without a restart. A pair that does not read or whose
 * key does not fit its certificate (files caught half-written) keeps the previous one and says why once.
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final Path cert;
    private final Path key;
    private final Path clientCa;
    private final SwappableKeyManager keys = new SwappableKeyManager();
    private final SwappableTrustManager trust = new SwappableTrustManager();
    private final SSLContext context;
    private final ScheduledExecutorService watcher;
    private byte[][] loaded;
    private byte[][] refused;
    private String unreadable;
    private volatile X509Certificate current;

    private ServerTls(final Path cert, final Path key, final Path clientCa) throws TlsFileException {
        this.cert = cert;
        this.key = key;
        this.clientCa = clientCa;
        final byte[][] files = read();
        load(files);
        this.loaded = files;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(new javax.net.ssl.KeyManager[] {keys}, clientCa == null ? null : new TrustManager[] {trust},
                    null);
        } catch (GeneralSecurityException e) {
            throw new TlsFileException("cannot set up TLS: " + e.getMessage(), e);
        }
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "dbm-tls-reload");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Reads {@code cert} and {@code key} (and {@code clientCa} if not null) now, failing with a message naming
     * the file that does not fit, then watches them every {@code interval}.
     */
    public static ServerTls start(final Path cert, final Path key, final Path clientCa, final Duration interval)
            throws TlsFileException {
        final ServerTls tls = new ServerTls(cert, key, clientCa);
        final long ms = Math.max(10, interval.toMillis());
        tls.watcher.scheduleWithFixedDelay(tls::checkQuietly, ms, ms, TimeUnit.MILLISECONDS);
        return tls;
    }

    /** The context to serve with: its key and trust managers always use the latest loaded files. */
    public SSLContext context() {
        return context;
    }

    /**
     * A client context for talking to other instances that serve the same kind of certificate: it trusts
     * {@code ca} (null: the JVM's trust store) and presents this server's own certificate when asked for one.
     */
    public SSLContext peerContext(final Path ca) throws TlsFileException {
        try {
            final SSLContext peer = SSLContext.getInstance("TLS");
            peer.init(new javax.net.ssl.KeyManager[] {keys}, ClientTls.trustManagers(ca), null);
            return peer;
        } catch (GeneralSecurityException e) {
            throw new TlsFileException("cannot set up TLS to the other instances: " + e.getMessage(), e);
        }
    }

    /** Whether client certificates are verified (a client CA was given). */
    public boolean verifiesClients() {
        return clientCa != null;
    }

    /** The certificate served now. */
    public X509Certificate certificate() {
        return current;
    }

    /** Compares the files with what was loaded and loads them if they changed; true when something new was loaded. */
    public synchronized boolean check() throws TlsFileException {
        final byte[][] files = read();
        if (Arrays.deepEquals(files, loaded)) {
            return false;
        }
        load(files);
        loaded = files;
        refused = null;
        LOG.info("TLS certificate reloaded from {}: {}, valid until {}", cert, current.getSubjectX500Principal(),
                current.getNotAfter().toInstant());
        return true;
    }

    private void checkQuietly() {
        byte[][] files = null;
        try {
            files = read();
            synchronized (this) {
                if (Arrays.deepEquals(files, refused)) {
                    return;
                }
            }
            check();
        } catch (TlsFileException | RuntimeException e) {
            synchronized (this) {
                // once per refused content, and once per problem while a file cannot be read at all
                final boolean fresh = files == null ? !String.valueOf(e.getMessage()).equals(unreadable)
                        : !Arrays.deepEquals(files, refused);
                if (fresh) {
                    LOG.warn("TLS files changed but cannot be used; still serving the certificate loaded before "
                            + "(valid until {}): {}", current.getNotAfter().toInstant(), e.getMessage());
                }
                refused = files;
                unreadable = files == null ? String.valueOf(e.getMessage()) : null;
            }
        }
    }

    private byte[][] read() throws TlsFileException {
        return new byte[][] {PemFiles.readable(cert, "server certificate"), PemFiles.readable(key, "server key"),
            clientCa == null ? new byte[0] : PemFiles.readable(clientCa, "client CA certificate")};
    }

    private void load(final byte[][] files) throws TlsFileException {
        final List<X509Certificate> chain = PemFiles.certificates(cert, "server certificate");
        final PrivateKey privateKey = PemFiles.privateKey(key, "server key");
        try {
            if (!fits(privateKey, chain.get(0))) {
                throw new TlsFileException("TLS server key file " + key + " does not belong to the certificate in "
                        + cert + " (" + chain.get(0).getSubjectX500Principal() + ")");
            }
            final KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
            kmf.init(PemFiles.keyStore(privateKey, chain), new char[0]);
            final X509ExtendedTrustManager clients = clientCa == null ? null
                    : trustManager(PemFiles.trustStore(PemFiles.certificates(clientCa, "client CA certificate")));
            keys.swap((X509ExtendedKeyManager) kmf.getKeyManagers()[0]);
            trust.delegate = clients;
            current = chain.get(0);
        } catch (GeneralSecurityException e) {
            throw new TlsFileException("cannot use TLS files " + cert + " and " + key + ": " + e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager trustManager(final KeyStore store) throws GeneralSecurityException {
        final TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        return (X509ExtendedTrustManager) f.getTrustManagers()[0];
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    private static boolean fits(final PrivateKey key, final X509Certificate certificate) throws GeneralSecurityException {
        final String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true; // unusual algorithms: the handshake will tell
        }
        final byte[] probe = "dbm-stream key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final Signature sign = Signature.getInstance(algorithm);
        sign.initSign(key);
        sign.update(probe);
        final byte[] signature = sign.sign();
        final Signature verify = Signature.getInstance(algorithm);
        verify.initVerify(certificate.getPublicKey());
        verify.update(probe);
        return verify.verify(signature);
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }

    /**
     * Always the key manager of the latest loaded pair. A handshake asks for an alias first and for its chain and
     * key afterwards: the alias names the pair it was chosen from (its generation), so a reload between the calls
     * never hands out the new certificate with the old key (or the reverse), which would fail that handshake.
     */
    private static final class SwappableKeyManager extends X509ExtendedKeyManager {
        private record Pair(long generation, X509ExtendedKeyManager manager) {
        }

        private volatile Pair current;
        private volatile Pair previous;

        synchronized void swap(final X509ExtendedKeyManager manager) {
            previous = current;
            current = new Pair(current == null ? 0 : current.generation() + 1, manager);
        }

        private static String tagged(final Pair pair, final String alias) {
            return alias == null ? null : pair.generation() + ":" + alias;
        }

        private static String[] tagged(final Pair pair, final String[] aliases) {
            return aliases == null ? null
                    : java.util.Arrays.stream(aliases).map(a -> tagged(pair, a)).toArray(String[]::new);
        }

        /** The pair a tagged alias was chosen from and its own alias, or null when that pair is gone. */
        private Pair pairOf(final String alias) {
            final int colon = alias == null ? -1 : alias.indexOf(':');
            if (colon < 0) {
                return null;
            }
            final long generation = Long.parseLong(alias.substring(0, colon));
            final Pair now = current;
            final Pair before = previous;
            return now.generation() == generation ? now
                    : before != null && before.generation() == generation ? before : null;
        }

        private static String untagged(final String alias) {
            return alias.substring(alias.indexOf(':') + 1);
        }

        @Override
        public String[] getClientAliases(final String keyType, final Principal[] issuers) {
            final Pair p = current;
            return tagged(p, p.manager().getClientAliases(keyType, issuers));
        }

        @Override
        public String chooseClientAlias(final String[] keyType, final Principal[] issuers, final Socket socket) {
            final Pair p = current;
            return tagged(p, p.manager().chooseClientAlias(keyType, issuers, socket));
        }

        @Override
        public String[] getServerAliases(final String keyType, final Principal[] issuers) {
            final Pair p = current;
            return tagged(p, p.manager().getServerAliases(keyType, issuers));
        }

        @Override
        public String chooseServerAlias(final String keyType, final Principal[] issuers, final Socket socket) {
            final Pair p = current;
            return tagged(p, p.manager().chooseServerAlias(keyType, issuers, socket));
        }

        @Override
        public String chooseEngineServerAlias(final String keyType, final Principal[] issuers, final SSLEngine engine) {
            final Pair p = current;
            return tagged(p, p.manager().chooseEngineServerAlias(keyType, issuers, engine));
        }

        @Override
        public X509Certificate[] getCertificateChain(final String alias) {
            final Pair p = pairOf(alias);
            return p == null ? null : p.manager().getCertificateChain(untagged(alias));
        }

        @Override
        public PrivateKey getPrivateKey(final String alias) {
            final Pair p = pairOf(alias);
            return p == null ? null : p.manager().getPrivateKey(untagged(alias));
        }
    }

    /** Always the trust in the latest loaded client CA. */
    private static final class SwappableTrustManager extends X509ExtendedTrustManager {
        private volatile X509ExtendedTrustManager delegate;

        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType)
                throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
                throws CertificateException {
            throw new CertificateException("a server's context checks no server certificates");
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("a server's context checks no server certificates");
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType)
                throws CertificateException {
            throw new CertificateException("a server's context checks no server certificates");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
