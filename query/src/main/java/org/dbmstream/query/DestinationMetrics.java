package org.dbmstream.query;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The destination's metrics in Prometheus text format: Kafka Streams' and its clients' own metrics
 * through Micrometer's {@link KafkaStreamsMetrics} binder, which includes the destination's sensors
 * (group {@code stream-dbm-metrics}: chunks loaded, bitmaps completed/cancelled, migrations
 * completed/cancelled/failed, COMPLETE-to-event latency) and Kafka Streams' dropped records (those sent to
 * the dead-letter topic); plus JVM memory and GC.
 */
final class DestinationMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private KafkaStreamsMetrics streams;

    DestinationMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    /** Starts reporting {@code kafkaStreams}' metrics (call once it exists). */
    synchronized void bind(KafkaStreams kafkaStreams) {
        streams = new KafkaStreamsMetrics(kafkaStreams);
        streams.bindTo(registry);
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
        gc.close();
        registry.close();
    }
}
