package org.dbmstream.nbd;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys in PEM, as qemu's {@code tls-creds-x509} directories hold them (written by
 * openssl or GnuTLS's certtool), read with the JDK alone: keys in PKCS#8 ({@code PRIVATE KEY}) or PKCS#1
 * ({@code RSA PRIVATE KEY}, wrapped into PKCS#8 here); other forms get an error saying how to convert them.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);
    /** The AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, in DER. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
        (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemFiles() {
    }

    /** Every certificate in {@code file} (at least one), for {@code role} ("CA certificate", ...) in messages. */
    static List<X509Certificate> certificates(final Path file, final String role) throws NbdException {
        final byte[] bytes = readable(file, role);
        try {
            final List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes)).stream()
                    .map(X509Certificate.class::cast).toList();
            if (certs.isEmpty()) {
                throw new NbdException("TLS " + role + " file " + file + " holds no certificate");
            }
            return certs;
        } catch (CertificateException e) {
            throw new NbdException("TLS " + role + " file " + file + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** The private key in {@code file}. */
    static PrivateKey privateKey(final Path file) throws NbdException {
        final String text = new String(readable(file, "client key"), StandardCharsets.US_ASCII);
        final Matcher m = BLOCK.matcher(text);
        if (!m.find()) {
            throw new NbdException("TLS client key file " + file + " holds no PEM private key");
        }
        final String type = m.group(1);
        final String body = m.group(2);
        if (type.equals("ENCRYPTED PRIVATE KEY") || body.contains("ENCRYPTED")) {
            throw new NbdException("TLS client key file " + file + " is encrypted; dbm needs it unencrypted "
                    + "(openssl pkcs8 -topk8 -nocrypt -in KEY -out client-key.pem), readable by this user only");
        }
        final byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new NbdException("TLS client key file " + file + " has a damaged PEM body: " + e.getMessage(), e);
        }
        return switch (type) {
            case "PRIVATE KEY" -> pkcs8(der, file);
            case "RSA PRIVATE KEY" -> pkcs8(wrapPkcs1(der), file);
            default -> throw new NbdException("TLS client key file " + file + " holds a '" + type + "' key; dbm "
                    + "reads PKCS#8 (PRIVATE KEY) and PKCS#1 (RSA PRIVATE KEY): convert it with "
                    + "openssl pkcs8 -topk8 -nocrypt -in KEY -out client-key.pem");
        };
    }

    private static PrivateKey pkcs8(final byte[] der, final Path file) throws NbdException {
        for (final String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new NbdException("TLS client key file " + file + " holds a private key of an algorithm Java cannot "
                + "read (RSA, EC, Ed25519, Ed448, DSA are read)");
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, rsaEncryption, OCTET STRING { RSAPrivateKey } }. */
    private static byte[] wrapPkcs1(final byte[] pkcs1) {
        final ByteArrayOutputStream inner = new ByteArrayOutputStream(pkcs1.length + 32);
        inner.writeBytes(new byte[] {0x02, 0x01, 0x00});
        inner.writeBytes(RSA_ALGORITHM);
        inner.write(0x04);
        inner.writeBytes(derLength(pkcs1.length));
        inner.writeBytes(pkcs1);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(inner.size() + 8);
        out.write(0x30);
        out.writeBytes(derLength(inner.size()));
        out.writeBytes(inner.toByteArray());
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

    private static byte[] readable(final Path file, final String role) throws NbdException {
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new NbdException("TLS " + role + " file " + file + " does not exist", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new NbdException("TLS " + role + " file " + file + " is not readable by this user", e);
        } catch (IOException e) {
            throw new NbdException("cannot read TLS " + role + " file " + file + ": " + e.getMessage(), e);
        }
    }
}
