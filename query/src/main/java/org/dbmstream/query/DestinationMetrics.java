package org.dbmstream.query;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.CommittedOnlyKafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The destination's metrics in Prometheus text format: Kafka Streams' and its clients' own metrics
 * through Micrometer's {@link KafkaStreamsMetrics} binder, which includes the destination's sensors
 * (group {@code stream-dbm-metrics}: chunks loaded, bitmaps completed/cancelled, migrations
 * completed/cancelled/failed, COMPLETE-to-event latency) and Kafka Streams' dropped records (those sent to
 * the dead-letter topic); plus JVM memory and GC. The transactional stores' {@code uncommitted-bytes} gauges
 * are left out ({@link CommittedOnlyKafkaStreamsMetrics}): reading them after a task moved crashed the JVM.
 */
final class DestinationMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** How often the binder looks for metrics that appeared since (sensors are created on first use). */
    private static final java.time.Duration REFRESH = java.time.Duration.ofSeconds(2);
    private final java.util.concurrent.ScheduledExecutorService refresher =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dbm-metrics-refresh");
                t.setDaemon(true);
                return t;
            });
    private CommittedOnlyKafkaStreamsMetrics streams;

    DestinationMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    /** Starts reporting {@code kafkaStreams}' metrics (call once it exists). */
    synchronized void bind(KafkaStreams kafkaStreams) {
        streams = new CommittedOnlyKafkaStreamsMetrics(kafkaStreams, refresher, REFRESH);
        streams.bindTo(registry);
    }

    /** Where further meters of this destination go. */
    io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus exposition text. */
    String scrape() {
        return registry.scrape();
    }

    @Override
    public synchronized void close() {
        if (streams != null) {
            streams.close();
        }
        refresher.shutdownNow();
        gc.close();
        registry.close();
    }
}
