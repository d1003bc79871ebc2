package org.dbmstream.serdes.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apicurio Registry (unpacked from Maven Central by the build into {@code apicurio.home}) run
 * as a child process on 127.0.0.1 with its default in-memory (H2) storage, serving plain HTTP and HTTPS (a fresh
 * self-signed certificate made with the JDK's keytool). Its log goes to {@code apicurio.logs}.
 * {@link #close()} stops it; a shutdown hook does too, so no process outlives the test JVM.
 */
public final class ApicurioRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApicurioRegistry.class);
    public static final String PASSWORD = "changeit";

    private final Process process;
    private final Thread shutdownHook;
    private final int httpPort;
    private final int httpsPort;
    private final Path truststore;
    private final Path log;

    private ApicurioRegistry(Process process, int httpPort, int httpsPort, Path truststore, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.httpsPort = httpsPort;
        this.truststore = truststore;
        this.log = log;
        this.shutdownHook = new Thread(this::stop, "apicurio-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public static ApicurioRegistry start() throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("apicurio.home", "target/apicurio"));
        Path jar = runnerJar(home);
        Path logs = Path.of(System.getProperty("apicurio.logs", "target"));
        Path tls = Files.createDirectories(logs.resolve("apicurio-tls"));
        Path keystore = tls.resolve("server.p12");
        Path truststore = tls.resolve("truststore.p12");
        makeCertificate(tls, keystore, truststore);
        int http = freePort();
        int https = freePort();
        Path log = logs.resolve("apicurio-" + http + ".log");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + http, "-Dquarkus.http.ssl-port=" + https,
                "-Dquarkus.http.ssl.certificate.key-store-file=" + keystore.toAbsolutePath(),
                "-Dquarkus.http.ssl.certificate.key-store-password=" + PASSWORD,
                "-jar", jar.toAbsolutePath().toString());
        LOG.info("starting Apicurio Registry on http {} / https {}, log {}", http, https, log);
        Process p = new ProcessBuilder(cmd).directory(jar.getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        ApicurioRegistry registry = new ApicurioRegistry(p, http, https, truststore, log);
        try {
            registry.awaitReady(Duration.ofSeconds(90));
        } catch (RuntimeException | InterruptedException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** Base URL of the Confluent-compatible API over HTTP. */
    public String url() {
        return "http://127.0.0.1:" + httpPort + "/apis/ccompat/v7";
    }

    /** Base URL of the Confluent-compatible API over HTTPS (trust {@link #truststore()}). */
    public String httpsUrl() {
        return "https://127.0.0.1:" + httpsPort + "/apis/ccompat/v7";
    }

    /** PKCS12 truststore holding the registry's self-signed certificate, password {@value #PASSWORD}. */
    public Path truststore() {
        return truststore;
    }

    /** A plain GET against the HTTP API, for checks independent of our client. */
    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url() + path)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /** The HTTP status of a plain GET. */
    public int getStatus(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + httpPort + "/health/ready");
        long deadline = System.nanoTime() + timeout.toNanos();
        long started = System.nanoTime();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    LOG.info("Apicurio Registry ready after {} ms", (System.nanoTime() - started) / 1_000_000);
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Apicurio Registry not ready within " + timeout + "; see " + log);
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or ran: it stops the process itself
        }
    }

    private void stop() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                all.forEach(ProcessHandle::destroyForcibly);
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            all.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }

    private static Path runnerJar(Path home) throws IOException {
        if (!Files.isDirectory(home)) {
            throw new IllegalStateException("Apicurio Registry is not unpacked at " + home.toAbsolutePath()
                    + ": run the integration tests through 'mvn verify' (maven-dependency-plugin unpacks it)");
        }
        try (Stream<Path> files = Files.walk(home, 3)) {
            return files.filter(f -> f.getFileName().toString().matches("apicurio-registry-app-.*-runner\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no *-runner.jar under " + home));
        }
    }

    private static void makeCertificate(Path dir, Path keystore, Path truststore)
            throws IOException, InterruptedException {
        Files.deleteIfExists(keystore);
        Files.deleteIfExists(truststore);
        Path cert = dir.resolve("registry.pem");
        keytool(dir, "-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD);
        keytool(dir, "-exportcert", "-alias", "registry", "-rfc", "-file", cert.toString(),
                "-keystore", keystore.toString(), "-storepass", PASSWORD);
        keytool(dir, "-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(),
                "-storetype", "PKCS12", "-keystore", truststore.toString(), "-storepass", PASSWORD);
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + out);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
