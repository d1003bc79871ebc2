package io.micrometer.core.instrument.binder.kafka;

import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Micrometer's Kafka Streams binder ({@link KafkaStreamsMetrics} passes {@code kafkaStreams::metrics} to the
 * same constructor) over every metric except the transactional stores' {@code uncommitted-bytes} gauges.
 *
 * <p>Why a class in Micrometer's package: {@link KafkaMetrics} calls {@code metricValue()} on every metric it
 * is given each time it looks for new ones, before any {@code MeterFilter} is consulted, and its constructor
 * taking the metric supplier is package-private. Reading {@code uncommitted-bytes} of a store whose task has
 * just moved to another instance crashed the JVM (SIGSEGV in RocksDB's native {@code WriteBatch.getDataSize}),
 * so those metrics must never reach the binder.
 */
public final class CommittedOnlyKafkaStreamsMetrics extends KafkaMetrics {
    /** Name of the Kafka Streams store metric never read (group {@code stream-state-metrics}). */
    public static final String UNCOMMITTED_BYTES = "uncommitted-bytes";

    public CommittedOnlyKafkaStreamsMetrics(KafkaStreams kafkaStreams, ScheduledExecutorService scheduler,
            Duration refreshInterval) {
        super(() -> withoutUncommittedBytes(kafkaStreams.metrics()), Tags.empty(), scheduler, refreshInterval);
    }

    /** {@code metrics} without the {@value #UNCOMMITTED_BYTES} ones (names only: no value is read). */
    public static Map<MetricName, ? extends Metric> withoutUncommittedBytes(Map<MetricName, ? extends Metric> metrics) {
        return metrics.entrySet().stream()
                .filter(e -> !e.getKey().name().endsWith(UNCOMMITTED_BYTES))
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
