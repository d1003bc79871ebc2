package org.dbmstream.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys in PEM, as openssl, GnuTLS's certtool and cert-manager write them, read with
 * the JDK alone: keys in PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1
 * ({@code EC PRIVATE KEY}), the last two wrapped into PKCS#8 here; other forms get an error saying how to
 * convert them. Every message names the file and its role ("CA certificate", "client key", ...).
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
    /** The AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, in DER. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** The OID id-ecPublicKey (1.2.840.10045.2.1), in DER. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final String CONVERT = "openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem";

    private PemFiles() {
    }

    /** Every certificate in {@code file} (at least one), for {@code role} ("CA certificate", ...) in messages. */
    public static List<X509Certificate> certificates(final Path file, final String role) throws TlsFileException {
        final byte[] bytes = readable(file, role);
        try {
            final List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes)).stream()
                    .map(X509Certificate.class::cast).toList();
            if (certs.isEmpty()) {
                throw new TlsFileException("TLS " + role + " file " + file + " holds no certificate");
            }
            return certs;
        } catch (CertificateException e) {
            throw new TlsFileException("TLS " + role + " file " + file + " is not a PEM certificate: "
                    + e.getMessage(), e);
        }
    }

    /** The private key in {@code file}, for {@code role} ("client key", "server key") in messages. */
    public static PrivateKey privateKey(final Path file, final String role) throws TlsFileException {
        final String text = new String(readable(file, role), StandardCharsets.US_ASCII);
        final Matcher m = BLOCK.matcher(text);
        String type = null;
        String body = null;
        while (m.find()) {
            // openssl ecparam -genkey writes an "EC PARAMETERS" block before the key
            if (!m.group(1).equals("EC PARAMETERS")) {
                type = m.group(1);
                body = m.group(2);
                break;
            }
        }
        if (type == null) {
            throw new TlsFileException("TLS " + role + " file " + file + " holds no PEM private key");
        }
        if (type.equals("ENCRYPTED PRIVATE KEY") || body.contains("ENCRYPTED")) {
            throw new TlsFileException("TLS " + role + " file " + file + " is encrypted; dbm needs it unencrypted ("
                    + CONVERT + "), readable by this user only");
        }
        final byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new TlsFileException("TLS " + role + " file " + file + " has a damaged PEM body: "
                    + e.getMessage(), e);
        }
        return switch (type) {
            case "PRIVATE KEY" -> pkcs8(der, file, role);
            case "RSA PRIVATE KEY" -> pkcs8(privateKeyInfo(RSA_ALGORITHM, der), file, role);
            case "EC PRIVATE KEY" -> pkcs8(privateKeyInfo(ecAlgorithm(der, file, role), der), file, role);
            default -> throw new TlsFileException("TLS " + role + " file " + file + " holds a '" + type + "' key; dbm "
                    + "reads PKCS#8 (PRIVATE KEY), PKCS#1 (RSA PRIVATE KEY) and SEC1 (EC PRIVATE KEY): convert it "
                    + "with " + CONVERT);
        };
    }

    /** A key store (PKCS12, in memory) holding {@code certificates} as trusted entries. */
    public static KeyStore trustStore(final List<X509Certificate> certificates) throws GeneralSecurityException {
        final KeyStore store = emptyStore();
        int i = 0;
        for (final X509Certificate c : certificates) {
            store.setCertificateEntry("ca-" + i++, c);
        }
        return store;
    }

    /** A key store (PKCS12, in memory, empty password) holding {@code key} with its certificate chain. */
    public static KeyStore keyStore(final PrivateKey key, final List<X509Certificate> chain)
            throws GeneralSecurityException {
        final KeyStore store = emptyStore();
        store.setKeyEntry("key", key, new char[0], chain.toArray(new X509Certificate[0]));
        return store;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    private static PrivateKey pkcs8(final byte[] der, final Path file, final String role) throws TlsFileException {
        for (final String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new TlsFileException("TLS " + role + " file " + file + " holds a private key of an algorithm Java "
                + "cannot read (RSA, EC, Ed25519, Ed448, DSA are read)");
    }

    /**
     * The AlgorithmIdentifier of a SEC1 key: id-ecPublicKey with the curve named in the key's
     * {@code [0] parameters} (ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] curve OID, ... }).
     */
    private static byte[] ecAlgorithm(final byte[] sec1, final Path file, final String role) throws TlsFileException {
        try {
            int at = contentStart(sec1, 0);
            while (at < sec1.length) {
                final int content = contentStart(sec1, at);
                final int end = content + length(sec1, at);
                if ((sec1[at] & 0xff) == 0xa0) {
                    return sequence(concat(EC_PUBLIC_KEY, Arrays.copyOfRange(sec1, content, end)));
                }
                at = end;
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            // falls through: damaged DER
        }
        throw new TlsFileException("TLS " + role + " file " + file + " holds an EC key that names no curve; "
                + "convert it with " + CONVERT);
    }

    /** Offset of the content of the DER element at {@code at}. */
    private static int contentStart(final byte[] der, final int at) {
        final int first = der[at + 1] & 0xff;
        return first < 0x80 ? at + 2 : at + 2 + (first & 0x7f);
    }

    private static int length(final byte[] der, final int at) {
        final int first = der[at + 1] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int n = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            n = (n << 8) | (der[at + 2 + i] & 0xff);
        }
        return n;
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, algorithm, OCTET STRING { the key } }. */
    private static byte[] privateKeyInfo(final byte[] algorithm, final byte[] key) {
        return sequence(concat(new byte[] {0x02, 0x01, 0x00}, algorithm, concat(new byte[] {0x04},
                derLength(key.length), key)));
    }

    private static byte[] sequence(final byte[] content) {
        return concat(new byte[] {0x30}, derLength(content.length), content);
    }

    private static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] derLength(final int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        final int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
        final byte[] out = new byte[1 + bytes];
        out[0] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            out[bytes - i] = (byte) (length >>> (8 * i));
        }
        return out;
    }

    static byte[] readable(final Path file, final String role) throws TlsFileException {
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new TlsFileException("TLS " + role + " file " + file + " does not exist", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new TlsFileException("TLS " + role + " file " + file + " is not readable by this user", e);
        } catch (IOException e) {
            throw new TlsFileException("cannot read TLS " + role + " file " + file + ": " + e.getMessage(), e);
        }
    }
}
