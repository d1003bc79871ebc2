package org.dbmstream.query;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;

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
    private final DestinationApp app;
    private final QueryServer server;
    private final DestinationMetrics metrics;
    private final RemovalPublisher removals;
    private final String baseUrl;

    private QueryingDestination(DestinationApp app, QueryServer server, DestinationMetrics metrics,
            RemovalPublisher removals, String baseUrl) {
        this.app = app;
        this.server = server;
        this.metrics = metrics;
        this.removals = removals;
        this.baseUrl = baseUrl;
    }

    /**
     * Starts the HTTP server on {@code bindHost:port} (0: a free port), then the destination.
     *
     * @param advertisedHost the host name other instances reach this one by (e.g. the pod's DNS name)
     */
    public static QueryingDestination start(DestinationConfig config, String bindHost, int port,
            String advertisedHost) {
        DestinationApp[] holder = new DestinationApp[1];
        DestinationMetrics metrics = new DestinationMetrics();
        java.util.function.Supplier<KafkaStreams> streams = () -> holder[0] == null ? null : holder[0].streams();
        String advertised = config.extra().get(StreamsConfig.APPLICATION_SERVER_CONFIG);
        HostInfo[] self = new HostInfo[1];
        RemovalPublisher removals = new RemovalPublisher(config);
        QueryServer server = new QueryServer(
                new QueryRoutes(new LocalReplica(streams), new Peers(streams, () -> self[0]), removals),
                metrics, () -> {
                    KafkaStreams s = streams.get();
                    return s == null || s.state() != KafkaStreams.State.ERROR
                            && s.state() != KafkaStreams.State.PENDING_ERROR;
                }, () -> holder[0] != null && holder[0].ready());
        try {
            int bound = server.start(bindHost, port);
            self[0] = advertised != null ? HostInfo.buildFromEndpoint(advertised) : new HostInfo(advertisedHost, bound);
            Map<String, String> extra = new HashMap<>();
            extra.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self[0].host() + ":" + self[0].port());
            extra.putAll(config.extra());
            ReplicaMetrics replicas = new ReplicaMetrics(metrics.registry(), streams);
            holder[0] = new DestinationApp(config.withExtra(extra), replicas).start();
            metrics.bind(holder[0].streams());
            return new QueryingDestination(holder[0], server, metrics, removals,
                    "http://" + self[0].host() + ":" + self[0].port());
        } catch (RuntimeException e) {
            if (holder[0] != null) {
                holder[0].close();
            }
            server.close();
            metrics.close();
            removals.close();
            throw e;
        }
    }

    public DestinationApp app() {
        return app;
    }

    /** The base URL of this instance's API, {@code http://HOST:PORT}. */
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            app.close();
            metrics.close();
            removals.close();
        }
    }
}
