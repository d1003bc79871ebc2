package org.dbmstream.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.query.QueryingDestination;
import org.dbmstream.topology.DestinationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dbm destination}: runs the destination topology as a long-lived service until SIGTERM/Ctrl-C. */
@Command(name = "destination", mixinStandardHelpOptions = true,
        description = {"Runs the destination: a Kafka Streams application that loads migrated bitmaps into "
            + "RocksDB state stores with QEMU's rules and emits completion events.",
            "Prints one line per finished migration (id, target, outcome, bitmaps).",
            "Without --bootstrap-servers it starts a Kafka broker in-process and prints its address."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped on request (SIGTERM, Ctrl-C)", "1:could not start (the reason is printed)",
            "2:bad arguments"})
final class DestinationCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
            description = "Kafka brokers; default: start one in-process.")
    String bootstrapServers;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "RocksDB state directory (default: a temporary one with the in-process broker, "
                    + "else ${java.io.tmpdir}/dbm-stream/<application id>).")
    Path stateDir;

    @Option(names = "--application-id", defaultValue = DestinationConfig.DEFAULT_APPLICATION_ID,
            converter = KafkaNames.ApplicationId.class, description = "Kafka Streams application id (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--topic-prefix", defaultValue = "dbm.", converter = KafkaNames.TopicPrefix.class,
            description = "Common prefix of the topics (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--processing-guarantee", defaultValue = "exactly_once_v2",
            description = "exactly_once_v2 (default) or at_least_once.")
    String processingGuarantee;

    @Option(names = "--http-port", defaultValue = "8080", paramLabel = "PORT",
            description = "Port of the query API, health probes and metrics (default: ${DEFAULT-VALUE}; 0: a free port).")
    int httpPort;

    @Option(names = "--http-host", defaultValue = "0.0.0.0", paramLabel = "ADDRESS",
            description = "Address the HTTP server listens on (default: ${DEFAULT-VALUE}).")
    String httpHost;

    @Option(names = "--advertised-host", defaultValue = "localhost", paramLabel = "HOST",
            description = "Host name other instances reach this one's HTTP server by, its application.server "
                    + "(default: ${DEFAULT-VALUE}; set it when instances run on several machines or pods).")
    String advertisedHost;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file with any other Kafka Streams, client or serde setting.")
    Path configFile;

    @picocli.CommandLine.Mixin
    ApiServerOptions api;

    private Path temporaryState;
    private FinishedMigrations report;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final Map<String, String> extra = configFile == null ? Map.of()
                : DestinationConfig.readProperties(ArgumentChecks.readable(spec, "--config", configFile));
        if (!"exactly_once_v2".equals(processingGuarantee) && !"at_least_once".equals(processingGuarantee)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--processing-guarantee: '"
                    + processingGuarantee + "' is neither exactly_once_v2 nor at_least_once");
        }
        final org.dbmstream.query.ApiSecurity security = api.security();
        // a taken port is found now, in a second, not after the broker and Kafka Streams took theirs
        HttpPorts.ensureFree(spec, "--http-port", httpHost, httpPort);
        final CountDownLatch stopped = new CountDownLatch(1);
        final EmbeddedRuntime embedded = bootstrapServers == null ? EmbeddedRuntime.startBroker() : null;
        final QueryingDestination destination;
        try {
            final String servers = embedded != null ? embedded.bootstrapServers() : bootstrapServers;
            if (embedded != null) {
                out.printf("In-process Kafka broker on %s (publish with: ./dbm migrate --bootstrap-servers %s IMAGE)%n",
                        servers, servers);
            }
            final Path dir = stateDir != null ? stateDir
                    : embedded != null ? java.nio.file.Files.createTempDirectory("dbm-state-")
                    : Path.of(System.getProperty("java.io.tmpdir"), "dbm-stream", applicationId);
            // state made for an in-process broker is useless once that broker is gone
            temporaryState = embedded != null && stateDir == null ? dir : null;
            final Map<String, String> props = new HashMap<>(extra);
            destination = QueryingDestination.start(new DestinationConfig(servers, applicationId, dir, topicPrefix,
                    processingGuarantee, props), httpHost, httpPort, advertisedHost, security);
            final DestinationApp app = destination.app();
            if (!app.awaitRunning(Duration.ofSeconds(120))) {
                destination.close();
                throw new IllegalStateException("the destination did not reach RUNNING (state "
                        + app.streams().state() + "); run with -v for details");
            }
            out.printf("Destination '%s' running; waiting for chunks on %s (state in %s). Ctrl-C or SIGTERM stops it.%n",
                    applicationId, app.config().topics().chunks(), dir);
            out.printf("Query API on %s (try: ./dbm bitmaps list --url %s%s%s)%n", destination.baseUrl(),
                    destination.baseUrl(), security.authenticates() ? " --token-file FILE" : "",
                    security.tls() ? " --cacert CA_FILE" : "");
            out.flush();
            report = new FinishedMigrations(servers, app.config().topics().events(), app.config().serdeConfig(), extra,
                    out).start();
        } catch (RuntimeException | InterruptedException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
        final FinishedMigrations finished = report;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                finished.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            destination.close();
            if (embedded != null) {
                embedded.close();
            }
            if (temporaryState != null) {
                EmbeddedRuntime.deleteQuietly(temporaryState);
            }
            stopped.countDown();
            out.println("Destination '" + applicationId + "' stopped.");
            out.flush();
            // a stop that was asked for (SIGTERM, Ctrl-C) and went cleanly is a success, not 128+signal
            Runtime.getRuntime().halt(0);
        }, "dbm-destination-shutdown"));
        stopped.await();
        return 0;
    }
}
