package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the destination hands Kafka Streams. */
class DestinationConfigTest {

    @Test
    void serdesSeeConfigProviderVariablesResolvedLikeKafkaClientsDo(@TempDir Path dir) {
        // the Helm chart keeps the registry credentials in a Secret, passed as an env variable
        final Map<String, String> extra = Map.of("config.providers", "env",
                "config.providers.env.class", "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
                "basic.auth.user.info", "${env:PATH}");
        assertThat(DestinationConfig.defaults("b:1", dir).withExtra(extra).serdeConfig())
                .containsEntry("basic.auth.user.info", System.getenv("PATH"))
                .containsEntry("dbm.topic.prefix", "dbm.");
        assertThat(DestinationConfig.defaults("b:1", dir).withExtra(Map.of("basic.auth.user.info", "${env:PATH}"))
                .serdeConfig()).as("no provider configured: left as written")
                .containsEntry("basic.auth.user.info", "${env:PATH}");
    }

    @Test
    void defaultsAreExactlyOnceWithADeadLetterTopic(@TempDir Path dir) {
        Properties p = DestinationConfig.defaults("broker:9092", dir).streamsProperties();
        assertThat(p).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "dbm-destination")
                .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .containsEntry(StreamsConfig.STATE_DIR_CONFIG, dir.toString())
                .containsEntry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dbm.dlq")
                .containsEntry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                        DeadLetterHandler.class.getName())
                .containsEntry("auto.offset.reset", "earliest")
                // no start-up warning about Kafka 5's default
                .containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    }

    @Test
    void kafkaStreamsOwnTopicsAreReplicatedLikeTheCreatedOnes(@TempDir Path dir) {
        assertThat(DestinationConfig.defaults("b:1", dir).streamsProperties())
                .as("unset: Kafka Streams' default (the broker's default.replication.factor)")
                .doesNotContainKey(StreamsConfig.REPLICATION_FACTOR_CONFIG);
        assertThat(DestinationConfig.defaults("b:1", dir).withExtra(Map.of(DestinationConfig.TOPIC_REPLICATION, "3"))
                .streamsProperties()).containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, "3");
        assertThat(DestinationConfig.defaults("b:1", dir).withExtra(Map.of(DestinationConfig.TOPIC_REPLICATION, "3",
                StreamsConfig.REPLICATION_FACTOR_CONFIG, "2")).streamsProperties())
                .as("an explicit replication.factor wins").containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, "2");
    }

    @Test
    void throughputDefaultsKeepExactlyOnceAndYieldToThePropertiesFile(@TempDir Path dir) {
        Properties p = DestinationConfig.defaults("b:1", dir).streamsProperties();
        assertThat(p).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000")
                .containsEntry("producer.batch.size", String.valueOf(256 * 1024))
                .containsEntry(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1")
                .containsEntry("buffered.records.per.partition", "8192")
                .containsEntry("main.consumer.max.partition.fetch.bytes", String.valueOf(4 * 1024 * 1024))
                .containsEntry("main.consumer.fetch.max.wait.ms", "50")
                .containsEntry("restore.consumer.fetch.max.wait.ms", "50");
        assertThat(new StreamsConfig(p).getRestoreConsumerConfigs("c")).containsEntry("fetch.max.wait.ms", "50");
        assertThat(new StreamsConfig(p).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(1000L);
        assertThat(DestinationConfig.defaults("b:1", dir).eventCommitIntervalMs()).isEqualTo(50L);

        DestinationConfig tuned = DestinationConfig.defaults("b:1", dir).withExtra(Map.of(
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "250", "producer.batch.size", "16384",
                DestinationConfig.EVENT_COMMIT_INTERVAL, "20", "restore.consumer.fetch.max.wait.ms", "500"));
        assertThat(tuned.streamsProperties()).containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "250")
                .containsEntry("producer.batch.size", "16384")
                .containsEntry("restore.consumer.fetch.max.wait.ms", "500");
        assertThat(tuned.eventCommitIntervalMs()).isEqualTo(20L);
        // at-least-once keeps Kafka Streams' own commit interval
        assertThat(DestinationConfig.defaults("b:1", dir).withProcessingGuarantee(StreamsConfig.AT_LEAST_ONCE)
                .streamsProperties()).doesNotContainKey(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    }

    @Test
    void aRestartedInstanceKeepsItsStaticMembershipIdOthersDoNot(@TempDir Path dir) throws Exception {
        String key = "main.consumer.group.instance.id";
        String id = DestinationConfig.defaults("b:1", dir).streamsProperties().getProperty(key);
        assertThat(id).startsWith("dbm-").isEqualTo(DestinationConfig.defaults("b:1", dir).streamsProperties()
                .getProperty(key));
        assertThat(DestinationConfig.defaults("b:1", Files.createDirectory(dir.resolve("other"))).streamsProperties()
                .getProperty(key)).isNotEqualTo(id);
        assertThat(DestinationConfig.defaults("b:1", dir).withApplicationId("other").streamsProperties()
                .getProperty(key)).isNotEqualTo(id);
        // a configured id (the Helm chart's pod name) wins; the default can be turned off
        assertThat(DestinationConfig.defaults("b:1", dir).withExtra(Map.of("group.instance.id", "pod-0"))
                .streamsProperties()).doesNotContainKey(key).containsEntry("group.instance.id", "pod-0");
        assertThat(DestinationConfig.defaults("b:1", dir).withExtra(Map.of("dbm.static.membership", "false"))
                .streamsProperties()).doesNotContainKey(key);
    }

    @Test
    void specsAreReadAheadUnlessTurnedOff(@TempDir Path dir) {
        assertThat(DestinationConfig.defaults("b:1", dir).specReadAhead()).isTrue();
        assertThat(DestinationConfig.defaults("b:1", dir).withExtra(Map.of(DestinationConfig.SPEC_READ_AHEAD, " FALSE"))
                .specReadAhead()).isFalse();
        assertThatThrownBy(() -> DestinationConfig.defaults("b:1", dir)
                .withExtra(Map.of(DestinationConfig.SPEC_READ_AHEAD, "no")).specReadAhead())
                .hasMessage("dbm.spec.read.ahead must be true or false: no");
    }

    @Test
    void namedSettingsOverrideThePropertiesFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dest.properties");
        Files.writeString(file, """
                application.id=from-file
                processing.guarantee=at_least_once
                num.stream.threads=2
                dbm.serde.format=embedded
                """);
        DestinationConfig config = DestinationConfig.defaults("b:1", dir)
                .withExtra(DestinationConfig.readProperties(file)).withApplicationId("from-flag")
                .withTopicPrefix("fleet7.").withProcessingGuarantee(StreamsConfig.AT_LEAST_ONCE);
        Properties p = config.streamsProperties();
        assertThat(p).containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "from-flag")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE)
                .containsEntry("num.stream.threads", "2")
                .containsEntry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "fleet7.dlq");
        assertThat(config.controlTopic()).isEqualTo("fleet7.control");
        assertThat(config.serdeConfig()).containsEntry("dbm.serde.format", "embedded")
                .containsEntry("dbm.topic.prefix", "fleet7.");
        assertThat(config.topics().chunks()).isEqualTo("fleet7.chunks");
        assertThat(Map.copyOf(config.extra())).containsEntry("application.id", "from-file");
    }
}
