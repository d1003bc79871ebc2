package org.dbmstream.query;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;

import javax.net.ssl.SSLContext;
import org.dbmstream.tls.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A destination instance that serves the query API (DESIGN.md section 9): the HTTP server starts first
 * (so that a free port can be chosen), then the {@link DestinationApp} with that address as its
 * {@code application.server}, so that every instance can find the owner of any bitmap.
 *
 * <p>Answers show committed state only: under exactly_once_v2 {@link DestinationConfig} switches on Kafka 4.4's
 * transactional state stores with read-committed interactive queries ({@code enable.transactional.statestores=true},
 * {@code default.interactive.query.isolation.level=READ_COMMITTED}), so a query never sees bits that an aborted
 * transaction will undo. The stores' {@code uncommitted-bytes} metrics are kept from the metrics binder
 * ({@link DestinationMetrics}): reading them after a task had moved to another instance crashed the JVM in
 * RocksDB's native {@code WriteBatch.getDataSize}.
 */
public final class QueryingDestination implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryingDestination.class);
    private final DestinationApp app;
    private final QueryServer server;
    private final DestinationMetrics metrics;
    private final RemovalPublisher removals;
    private final TargetSummaries summaries;
    private final String baseUrl;

    private QueryingDestination(DestinationApp app, QueryServer server, DestinationMetrics metrics,
            RemovalPublisher removals, TargetSummaries summaries, String baseUrl) {
        this.app = app;
        this.server = server;
        this.metrics = metrics;
        this.removals = removals;
        this.summaries = summaries;
        this.baseUrl = baseUrl;
    }

    /**
     * Starts the HTTP server on {@code bindHost:port} (0: a free port), then the destination.
     *
     * @param advertisedHost the host name other instances reach this one by (e.g. the pod's DNS name)
     */
    public static QueryingDestination start(DestinationConfig config, String bindHost, int port,
            String advertisedHost) {
        return start(config, bindHost, port, advertisedHost, ApiSecurity.DEFAULTS);
    }

    /**
     * Starts the HTTP server as {@code security} says (HTTPS, authentication, limits), then the destination. A
     * missing or unreadable certificate, key or access file fails here with a message naming it.
     */
    public static QueryingDestination start(DestinationConfig config, String bindHost, int port,
            String advertisedHost, ApiSecurity security) {
        final ApiGuard guard;
        final ServerTls tls;
        final SSLContext peerTls;
        try {
            guard = ApiGuard.create(security);
            tls = security.tls() ? ServerTls.start(security.tlsCert(), security.tlsKey(), security.clientCa(),
                    security.reloadInterval()) : null;
            peerTls = tls == null ? null : tls.peerContext(security.tlsCa());
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        warnIfOpen(security, bindHost);
        DestinationApp[] holder = new DestinationApp[1];
        DestinationMetrics metrics = new DestinationMetrics();
        java.util.function.Supplier<KafkaStreams> streams = () -> holder[0] == null ? null : holder[0].streams();
        String advertised = config.extra().get(StreamsConfig.APPLICATION_SERVER_CONFIG);
        HostInfo[] self = new HostInfo[1];
        RemovalPublisher removals = new RemovalPublisher(config);
        LocalReplica local = new LocalReplica(streams, config.topics().chunks());
        TargetSummaries summaries = new TargetSummaries(local);
        QueryServer server = new QueryServer(
                new QueryRoutes(local, new Peers(streams,
                        () -> self[0], peerTls, guard.peerToken(), config.topics().chunks(),
                        () -> holder[0] == null ? 0 : holder[0].chunkPartitions()), removals,
                        security.requestTimeout(), summaries),
                metrics, () -> {
                    KafkaStreams s = streams.get();
                    return s == null || s.state() != KafkaStreams.State.ERROR
                            && s.state() != KafkaStreams.State.PENDING_ERROR;
                }, () -> holder[0] != null && holder[0].ready(), guard, tls, security);
        try {
            int bound = server.start(bindHost, port);
            self[0] = advertised != null ? HostInfo.buildFromEndpoint(advertised) : new HostInfo(advertisedHost, bound);
            Map<String, String> extra = new HashMap<>();
            extra.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self[0].host() + ":" + self[0].port());
            extra.putAll(config.extra());
            ReplicaMetrics replicas = new ReplicaMetrics(metrics.registry(), summaries);
            holder[0] = new DestinationApp(config.withExtra(extra), replicas).start();
            metrics.bind(holder[0].streams());
            summaries.start();
            return new QueryingDestination(holder[0], server, metrics, removals, summaries,
                    (tls != null ? "https://" : "http://") + self[0].host() + ":" + self[0].port());
        } catch (RuntimeException e) {
            if (holder[0] != null) {
                holder[0].close();
            }
            server.close();
            metrics.close();
            removals.close();
            summaries.close();
            throw e;
        }
    }

    /** Says once, at start, who can reach what when the API is not fully protected. */
    private static void warnIfOpen(ApiSecurity security, String bindHost) {
        if (!security.authenticates()) {
            LOG.warn("The query API on {} is open for reading to anyone who reaches it and read-only (DELETE is "
                    + "refused): no authentication is configured. Give --api-access FILE to require tokens or client "
                    + "certificates (README: 'Securing the query API').", bindHost);
        } else if (!security.tls()) {
            LOG.warn("The query API on {} takes bearer tokens over plain HTTP: anyone on the network path can read "
                    + "them. Serve HTTPS with --api-tls-cert and --api-tls-key.", bindHost);
        }
    }

    public DestinationApp app() {
        return app;
    }

    /** The base URL of this instance's API, {@code http://HOST:PORT} (https with TLS). */
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public void close() {
        try {
            summaries.close();
            server.close();
        } finally {
            app.close();
            metrics.close();
            removals.close();
        }
    }
}
