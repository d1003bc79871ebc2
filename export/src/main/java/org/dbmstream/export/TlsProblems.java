package org.dbmstream.export;

import java.net.URI;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import javax.net.ssl.SSLException;

/** Names what did not fit when a TLS handshake with the query API failed, and which option changes it. */
final class TlsProblems {
    private TlsProblems() {
    }

    static String describe(final SSLException e, final URI base, final ApiConnection connection) {
        final String all = chain(e);
        final String at = "TLS with " + base + " failed: ";
        if (has(e, CertificateExpiredException.class) || all.contains("NotAfter")) {
            return at + "its certificate has expired (" + ReplicaClient.message(e) + ")";
        }
        if (has(e, CertificateNotYetValidException.class) || all.contains("NotBefore")) {
            return at + "its certificate is not valid yet (" + ReplicaClient.message(e) + ")";
        }
        if (all.contains("No subject alternative") || all.contains("No name matching")) {
            return at + "its certificate does not name the host '" + base.getHost() + "' ("
                    + ReplicaClient.message(e) + "); use the host name the certificate was made for";
        }
        if (all.contains("PKIX path") || all.contains("certification path")) {
            return at + "its certificate is not signed by a CA this client trusts ("
                    + (connection.caCert() != null ? "--cacert " + connection.caCert() : "the JVM's trust store; give "
                    + "the CA certificate with --cacert FILE") + ")";
        }
        if (all.contains("certificate_required") || all.contains("bad_certificate")
                || all.contains("unknown_ca") || all.contains("certificate_unknown")) {
            return at + "the server refused " + (connection.clientCert() == null
                    ? "to talk without a client certificate (give --cert FILE --key FILE)"
                    : "the client certificate " + connection.clientCert() + " (not signed by a CA it trusts?)");
        }
        if (all.contains("Unsupported or unrecognized SSL message") || all.contains("plaintext connection")) {
            return at + "the server does not speak TLS; use http:// in " + connection.urlOption();
        }
        return at + ReplicaClient.message(e);
    }

    private static String chain(final Throwable e) {
        final StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 4000; t = t.getCause()) {
            b.append(t.getMessage()).append(" | ");
            if (t.getCause() == t) {
                break;
            }
        }
        return b.toString();
    }

    private static boolean has(final Throwable e, final Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                return false;
            }
        }
        return false;
    }
}
