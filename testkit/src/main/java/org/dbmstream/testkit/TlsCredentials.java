package org.dbmstream.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * x509 credentials made at test time with {@code openssl}, in the directory layout of qemu's
 * {@code tls-creds-x509,dir=}: {@link #serverDir} (ca-cert.pem, server-cert.pem, server-key.pem; the server
 * certificate names {@code localhost} and 127.0.0.1), {@link #clientDir} (ca-cert.pem, client-cert.pem and a
 * PKCS#1 client-key.pem, as certtool writes it), {@link #caOnlyDir} (ca-cert.pem) and {@link #otherCaDir}
 * (the certificate of an unrelated CA). Certificates are valid for two days.
 */
public record TlsCredentials(Path serverDir, Path clientDir, Path caOnlyDir, Path otherCaDir) {
    /** Whether openssl is installed (like QEMU: required under CI=true). */
    public static boolean available() {
        return QemuTools.available("openssl");
    }

    /** Makes every credential under {@code dir}. */
    public static TlsCredentials create(final Path dir) throws IOException, InterruptedException {
        final Path work = Files.createDirectories(dir.resolve("pki"));
        final Path server = Files.createDirectories(dir.resolve("server"));
        final Path client = Files.createDirectories(dir.resolve("client"));
        final Path caOnly = Files.createDirectories(dir.resolve("ca-only"));
        final Path other = Files.createDirectories(dir.resolve("other-ca"));
        selfSigned(work, "ca", "dbm test CA");
        selfSigned(work, "other", "unrelated test CA");
        signed(work, "server", "localhost", "serverAuth", "subjectAltName=DNS:localhost,IP:127.0.0.1", false);
        signed(work, "client", "dbm test client", "clientAuth", null, true);
        for (final Path d : List.of(server, client, caOnly)) {
            Files.copy(work.resolve("ca-cert.pem"), d.resolve("ca-cert.pem"));
        }
        Files.copy(work.resolve("other-cert.pem"), other.resolve("ca-cert.pem"));
        for (final String f : List.of("server-cert.pem", "server-key.pem")) {
            Files.copy(work.resolve(f), server.resolve(f));
        }
        for (final String f : List.of("client-cert.pem", "client-key.pem")) {
            Files.copy(work.resolve(f), client.resolve(f));
        }
        return new TlsCredentials(server, client, caOnly, other);
    }

    private static void selfSigned(final Path work, final String name, final String cn)
            throws IOException, InterruptedException {
        openssl(work, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name + "-key.pem");
        Files.writeString(work.resolve(name + ".ext"), "basicConstraints=critical,CA:TRUE\n"
                + "keyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n");
        openssl(work, "req", "-new", "-key", name + "-key.pem", "-subj", "/CN=" + cn, "-out", name + ".csr");
        openssl(work, "x509", "-req", "-in", name + ".csr", "-signkey", name + "-key.pem", "-days", "2",
                "-extfile", name + ".ext", "-out", name + "-cert.pem");
    }

    private static void signed(final Path work, final String name, final String cn, final String purpose,
            final String san, final boolean pkcs1) throws IOException, InterruptedException {
        if (pkcs1) {
            openssl(work, "genrsa", "-traditional", "-out", name + "-key.pem", "2048");
        } else {
            openssl(work, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name + "-key.pem");
        }
        Files.writeString(work.resolve(name + ".ext"), "basicConstraints=critical,CA:FALSE\n"
                + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=" + purpose + "\n"
                + (san != null ? san + "\n" : ""));
        openssl(work, "req", "-new", "-key", name + "-key.pem", "-subj", "/CN=" + cn, "-out", name + ".csr");
        openssl(work, "x509", "-req", "-in", name + ".csr", "-CA", "ca-cert.pem", "-CAkey", "ca-key.pem",
                "-CAcreateserial", "-days", "2", "-extfile", name + ".ext", "-out", name + "-cert.pem");
    }

    private static void openssl(final Path work, final String... args) throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        final Path log = work.resolve("openssl.log");
        final Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("openssl " + String.join(" ", args) + " did not finish in 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed (" + p.exitValue() + "): "
                    + Files.readString(log));
        }
    }
}
