package org.dbmstream.nbd;

import java.util.Locale;
import javax.net.ssl.SSLException;

/** Turns the JDK's TLS failures into messages that say which credential or name did not fit. */
final class NbdTlsFailure {
    private NbdTlsFailure() {
    }

    static NbdException describe(final SSLException e, final String peer, final NbdTls tls, final String hostname) {
        final StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(' ');
        }
        final String text = all.toString();
        final String lower = text.toLowerCase(Locale.ROOT);
        final String detail = " (" + e.getMessage() + ")";
        if (lower.contains("pkix path") || lower.contains("certification path") || lower.contains("signature check failed")) {
            return new NbdException("the TLS certificate of NBD server " + peer + " is not signed by a CA dbm trusts: "
                    + tls.trustSource() + "; give the CA certificate that signed the server's certificate "
                    + "(ca-cert.pem of --tls-creds-dir, or --tls-ca)" + detail, e);
        }
        if (lower.contains("no subject alternative") || lower.contains("no name matching")) {
            return new NbdException("the TLS certificate of NBD server " + peer + " does not name host '" + hostname
                    + "'; connect by a name in its subjectAltName or set tls-hostname=NAME (--tls-hostname)" + detail, e);
        }
        if (lower.contains("expired") || lower.contains("notafter") || lower.contains("not yet valid")) {
            return new NbdException("a TLS certificate in the handshake with NBD server " + peer
                    + " is outside its validity period" + detail, e);
        }
        if (lower.contains("received fatal alert") && (lower.contains("certificate") || lower.contains("unknown_ca")
                || lower.contains("handshake_failure") || lower.contains("access_denied"))) {
            return new NbdException("NBD server " + peer + " refused the TLS handshake" + detail + ": "
                    + (tls.clientCert() == null
                        ? "it verifies clients (verify-peer=on) and no client certificate was given: put "
                            + NbdTls.CLIENT_CERT + " and " + NbdTls.CLIENT_KEY + " into --tls-creds-dir, or give "
                            + "--tls-cert and --tls-key"
                        : "is client certificate " + tls.clientCert() + " signed by a CA the server trusts?"), e);
        }
        if (lower.contains("the server closed the connection")) {
            return new NbdException("NBD server " + peer + " closed the TLS connection" + detail
                    + (tls.clientCert() == null ? "; a server that verifies clients (verify-peer=on) does so when no "
                        + "client certificate was given: put " + NbdTls.CLIENT_CERT + " and " + NbdTls.CLIENT_KEY
                        + " into --tls-creds-dir, or give --tls-cert and --tls-key" : ""), e);
        }
        return new NbdException("TLS with NBD server " + peer + " failed" + detail, e);
    }
}
