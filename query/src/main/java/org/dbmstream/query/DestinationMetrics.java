package org.dbmstream.query;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.CommittedOnlyKafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.LagInfo;

/**
 * The destination's metrics in Prometheus text format: Kafka Streams' and its clients' own metrics
 * through Micrometer's {@link KafkaStreamsMetrics} binder, which includes the destination's sensors
 * (group {@code stream-dbm-metrics}: chunks loaded, bitmaps completed/cancelled, migrations
 * completed/cancelled/failed, COMPLETE-to-event latency) and Kafka Streams' dropped records (those sent to
 * the dead-letter topic); plus JVM memory and GC. The transactional stores' {@code uncommitted-bytes} gauges
 * are left out ({@link CommittedOnlyKafkaStreamsMetrics}): reading them after a task moved crashed the JVM.
 * {@code dbm_state_lag_records} says how far this instance's store copies are behind their changelogs.
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
    private StateLag lag;

    DestinationMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    /** Starts reporting {@code kafkaStreams}' metrics (call once it exists). */
    synchronized void bind(KafkaStreams kafkaStreams) {
        streams = new CommittedOnlyKafkaStreamsMetrics(kafkaStreams, refresher, REFRESH);
        streams.bindTo(registry);
        // Micrometer holds a gauge's object weakly: this field keeps it
        lag = new StateLag(kafkaStreams);
        Gauge.builder("dbm.state.lag.records", lag, StateLag::records).description("Offsets this instance's copies "
                + "of state store partitions (active, standby and warm-up) are behind their changelogs, summed (Kafka "
                + "Streams' LagInfo): falls while an instance rebuilds its state and levels off once it caught up, a "
                + "few above 0 under exactly-once (transaction markers and aborted records at a changelog's end are "
                + "never read into a store)").register(registry);
        Gauge.builder("dbm.state.store.partitions", lag, StateLag::partitions).description("State store partitions "
                + "this instance holds a copy of (active, standby and warm-up)").register(registry);
    }

    /**
     * The local stores' lags, asked from Kafka Streams (which asks the brokers for the changelogs' end offsets)
     * at most once a second however many gauges read them; NaN while it cannot tell (not running).
     */
    private static final class StateLag {
        private final KafkaStreams streams;
        private long at;
        private double records = Double.NaN;
        private double partitions = Double.NaN;

        StateLag(KafkaStreams streams) {
            this.streams = streams;
        }

        synchronized double records() {
            refresh();
            return records;
        }

        synchronized double partitions() {
            refresh();
            return partitions;
        }

        private void refresh() {
            if (System.nanoTime() - at < 1_000_000_000L && at != 0) {
                return;
            }
            at = System.nanoTime();
            try {
                Map<String, Map<Integer, LagInfo>> lags = streams.allLocalStorePartitionLags();
                records = lags.values().stream().flatMap(m -> m.values().stream()).mapToLong(LagInfo::offsetLag).sum();
                partitions = lags.values().stream().mapToInt(Map::size).sum();
            } catch (RuntimeException notNow) {
                records = Double.NaN;
                partitions = Double.NaN;
            }
        }
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
