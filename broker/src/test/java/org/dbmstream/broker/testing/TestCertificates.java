package org.dbmstream.broker.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keystores made at test time with the JDK's {@code keytool} (EC P-256, valid two days): a broker
 * key whose certificate names 127.0.0.1, a truststore clients use to trust it, one keystore per
 * client principal (certificate {@code CN=<name>}), and a truststore with those client certificates
 * for a broker that requires them (mTLS). All stores are PKCS12 with one password.
 *
 * @param dir      where the stores are
 * @param password password of every store and key
 */
public record TestCertificates(Path dir, String password) {

    /** Makes the broker's stores and one keystore per name in {@code clients}, in {@code dir}. */
    public static TestCertificates create(final Path dir, final String... clients) {
        final TestCertificates c = new TestCertificates(dir, "dbm-test-" + Long.toHexString(System.nanoTime()));
        c.keyPair("broker", "CN=localhost", "SAN=IP:127.0.0.1,DNS:localhost");
        c.keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", c.keystore("broker"), "-file",
                c.file("broker.crt"));
        c.keytool("-importcert", "-noprompt", "-alias", "broker", "-file", c.file("broker.crt"), "-keystore",
                c.file("client-truststore.p12"));
        for (final String name : clients) {
            c.keyPair(name, "CN=" + name + ",O=dbm-stream test", null);
            c.keytool("-exportcert", "-rfc", "-alias", name, "-keystore", c.keystore(name), "-file",
                    c.file(name + ".crt"));
            c.keytool("-importcert", "-noprompt", "-alias", name, "-file", c.file(name + ".crt"), "-keystore",
                    c.file("broker-truststore.p12"));
        }
        return c;
    }

    /** The keystore of {@code name} ("broker" or a client). */
    public Path keystorePath(final String name) {
        return dir.resolve(name + ".p12");
    }

    /** The truststore holding the client certificates, for the broker. */
    public Path brokerTruststore() {
        return dir.resolve("broker-truststore.p12");
    }

    /** The truststore holding the broker's certificate, for clients. */
    public Path clientTruststore() {
        return dir.resolve("client-truststore.p12");
    }

    private void keyPair(final String alias, final String dname, final String san) {
        final List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", dname, "-validity", "2", "-keystore", keystore(alias)));
        if (san != null) {
            args.addAll(List.of("-ext", san));
        }
        keytool(args.toArray(String[]::new));
    }

    private String keystore(final String name) {
        return keystorePath(name).toString();
    }

    private String file(final String name) {
        return dir.resolve(name).toString();
    }

    private void keytool(final String... args) {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", password, "-keypass", password));
        try {
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " failed: " + out.trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
