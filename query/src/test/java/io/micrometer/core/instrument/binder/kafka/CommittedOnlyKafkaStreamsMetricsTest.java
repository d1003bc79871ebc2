package io.micrometer.core.instrument.binder.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

class CommittedOnlyKafkaStreamsMetricsTest {
    @Test
    void uncommittedBytesGaugesAreLeftOutWithoutBeingRead() {
        try (Metrics metrics = new Metrics()) {
            Map<String, String> tags = Map.of("task-id", "0_0", "rocksdb-state-id", "dbm-bits");
            MetricName uncommitted = metrics.metricName("uncommitted-bytes", "stream-state-metrics", "", tags);
            MetricName keys = metrics.metricName("num-keys", "stream-state-metrics", "", tags);
            metrics.addMetric(uncommitted, (Gauge<Long>) (config, now) -> {
                throw new AssertionError("uncommitted-bytes was read");
            });
            metrics.addMetric(keys, (Gauge<Long>) (config, now) -> 7L);

            Map<MetricName, ?> kept = CommittedOnlyKafkaStreamsMetrics.withoutUncommittedBytes(metrics.metrics());

            assertThat(kept).containsKey(keys).doesNotContainKey(uncommitted);
            assertThat(metrics.metrics().get(keys).metricValue()).isEqualTo(7L);
        }
    }
}
