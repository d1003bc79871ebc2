package org.dbmstream.topology;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.dbmstream.serdes.Topics;

/**
 * Settings of the destination application. The named ones have flags in the CLI; everything else (any
 * Kafka Streams or client setting, the serde format and schema registry) comes from an optional
 * properties file, whose values the named settings override.
 *
 * @param bootstrapServers    Kafka brokers
 * @param applicationId       Kafka Streams application id (consumer group, internal topic prefix)
 * @param stateDir            directory of the RocksDB state stores
 * @param topicPrefix         common prefix of the topics ({@value Topics#DEFAULT_PREFIX} by default)
 * @param processingGuarantee {@code exactly_once_v2} (default) or {@code at_least_once}
 * @param extra               further properties (from the properties file)
 */
public record DestinationConfig(String bootstrapServers, String applicationId, Path stateDir, String topicPrefix,
        String processingGuarantee, Map<String, String> extra) {
    /** Default application id. */
    public static final String DEFAULT_APPLICATION_ID = "dbm-destination";
    /** Name of the control topic after the prefix: spec and cancel/fail broadcasts to every partition. */
    public static final String CONTROL_TOPIC = "control";
    /** Partitions of topics the application creates when they are missing (property name). */
    public static final String TOPIC_PARTITIONS = "dbm.topic.partitions";
    /** Replication factor of topics the application creates when they are missing (property name). */
    public static final String TOPIC_REPLICATION = "dbm.topic.replication.factor";

    public DestinationConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(processingGuarantee, "processingGuarantee");
        extra = Map.copyOf(extra);
    }

    /** Defaults: application id {@value #DEFAULT_APPLICATION_ID}, prefix {@code dbm.}, exactly-once. */
    public static DestinationConfig defaults(String bootstrapServers, Path stateDir) {
        return new DestinationConfig(bootstrapServers, DEFAULT_APPLICATION_ID, stateDir, Topics.DEFAULT_PREFIX,
                StreamsConfig.EXACTLY_ONCE_V2, Map.of());
    }

    /** Reads a properties file into a map, for {@link #extra}. */
    public static Map<String, String> readProperties(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read properties file " + file, e);
        }
        Map<String, String> out = new HashMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    public DestinationConfig withApplicationId(String id) {
        return new DestinationConfig(bootstrapServers, id, stateDir, topicPrefix, processingGuarantee, extra);
    }

    public DestinationConfig withTopicPrefix(String prefix) {
        return new DestinationConfig(bootstrapServers, applicationId, stateDir, prefix, processingGuarantee, extra);
    }

    public DestinationConfig withProcessingGuarantee(String guarantee) {
        return new DestinationConfig(bootstrapServers, applicationId, stateDir, topicPrefix, guarantee, extra);
    }

    public DestinationConfig withExtra(Map<String, String> more) {
        Map<String, String> merged = new HashMap<>(extra);
        merged.putAll(more);
        return new DestinationConfig(bootstrapServers, applicationId, stateDir, topicPrefix, processingGuarantee,
                merged);
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /** The control topic: as many partitions as the chunks topic. */
    public String controlTopic() {
        return topicPrefix + CONTROL_TOPIC;
    }

    /** Config the serdes see: the extra properties plus the topic prefix. */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> m = new HashMap<>(extra);
        m.put(Topics.PREFIX_CONFIG, topicPrefix);
        return m;
    }

    /**
     * Kafka Streams properties: the extra ones, then ours. Undecodable records are logged, sent to the
     * dead-letter topic with the error in headers (KIP-1034) and skipped; new input is read from the
     * beginning so that no chunk published before the first start is missed.
     */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putAll(extra);
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                extra.getOrDefault(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                        LogAndContinueExceptionHandler.class.getName()));
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
                extra.getOrDefault(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics().dlq()));
        p.put(Topics.PREFIX_CONFIG, topicPrefix);
        return p;
    }
}
