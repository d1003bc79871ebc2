package org.dbmstream.source;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.dbmstream.serdes.Topics;

/**
 * How a {@link MigrationPublisher} reaches Kafka: brokers, topic names, serde settings, the source id
 * stamped on every chunk, compression, optional transactions and a rate limit. The producer is always
 * idempotent with {@code acks=all}, so a retried send is never duplicated in the log.
 */
public final class PublisherSettings {
    private static final Set<String> COMPRESSIONS = Set.of("none", "gzip", "snappy", "lz4", "zstd");

    private final String bootstrapServers;
    private final Topics topics;
    private final Map<String, Object> serdeConfig;
    private final String sourceId;
    private final boolean transactional;
    private final String transactionalId;
    private final Duration transactionTimeout;
    private final String compression;
    private final long rateLimitBytesPerSecond;
    private final Map<String, Object> producerOverrides;

    private PublisherSettings(Builder b) {
        this.bootstrapServers = Objects.requireNonNull(b.bootstrapServers, "bootstrapServers");
        this.topics = b.topics;
        this.serdeConfig = Map.copyOf(b.serdeConfig);
        this.sourceId = b.sourceId != null ? b.sourceId : "dbm-source-" + UUID.randomUUID().toString().substring(0, 8);
        this.transactional = b.transactional;
        this.transactionalId = b.transactionalId != null ? b.transactionalId : sourceId + "-tx";
        this.transactionTimeout = b.transactionTimeout;
        this.compression = b.compression;
        this.rateLimitBytesPerSecond = b.rateLimitBytesPerSecond;
        this.producerOverrides = Map.copyOf(b.producerOverrides);
    }

    public static Builder builder(String bootstrapServers) {
        return new Builder().bootstrapServers(bootstrapServers);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Topics topics() {
        return topics;
    }

    public Map<String, Object> serdeConfig() {
        return serdeConfig;
    }

    public String sourceId() {
        return sourceId;
    }

    public boolean transactional() {
        return transactional;
    }

    public String transactionalId() {
        return transactionalId;
    }

    public String compression() {
        return compression;
    }

    /** Bytes per second, 0 for unlimited. */
    public long rateLimitBytesPerSecond() {
        return rateLimitBytesPerSecond;
    }

    /** The producer's configuration: byte-array serializers (our serdes make the bytes). */
    public Map<String, Object> producerConfig() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, sourceId);
        if (transactional) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis());
        }
        p.putAll(producerOverrides);
        return p;
    }

    /** Builds {@link PublisherSettings}. */
    public static final class Builder {
        private String bootstrapServers;
        private Topics topics = Topics.defaults();
        private final Map<String, Object> serdeConfig = new HashMap<>();
        private String sourceId;
        private boolean transactional;
        private String transactionalId;
        private Duration transactionTimeout = Duration.ofMinutes(15);
        private String compression = "lz4";
        private long rateLimitBytesPerSecond;
        private final Map<String, Object> producerOverrides = new HashMap<>();

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = Objects.requireNonNull(servers, "bootstrapServers");
            return this;
        }

        public Builder topics(Topics topics) {
            this.topics = Objects.requireNonNull(topics, "topics");
            return this;
        }

        /** Serde settings (e.g. {@code dbm.serde.format=registry} and the registry URL); empty: embedded Avro. */
        public Builder serdeConfig(Map<String, ?> config) {
            serdeConfig.putAll(config);
            return this;
        }

        /** Source id carried by every chunk (default {@code dbm-source-} and 8 random hex digits). */
        public Builder sourceId(String id) {
            this.sourceId = Objects.requireNonNull(id, "sourceId");
            return this;
        }

        /**
         * Publish each migration's chunks in one transaction, so read_committed consumers see all of them
         * at once or none. A migration must then be sent within {@link #transactionTimeout}.
         */
        public Builder transactional(boolean on) {
            this.transactional = on;
            return this;
        }

        /** Transactional id (default {@code <source id>-tx}); one live publisher per id. */
        public Builder transactionalId(String id) {
            this.transactionalId = Objects.requireNonNull(id, "transactionalId");
            return this;
        }

        /** Longest a migration's transaction may stay open (default 15 min, the broker's default maximum). */
        public Builder transactionTimeout(Duration timeout) {
            this.transactionTimeout = Objects.requireNonNull(timeout, "transactionTimeout");
            return this;
        }

        /** none, gzip, snappy, lz4 (default) or zstd. */
        public Builder compression(String type) {
            String t = type.trim().toLowerCase(Locale.ROOT);
            if (!COMPRESSIONS.contains(t)) {
                throw new IllegalArgumentException("compression must be one of " + COMPRESSIONS + ", got '" + type + "'");
            }
            this.compression = t;
            return this;
        }

        /** Publishing limit in bytes/s of serialized records, like QEMU's max-bandwidth; 0 for unlimited. */
        public Builder rateLimit(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("rate limit must not be negative: " + bytesPerSecond);
            }
            this.rateLimitBytesPerSecond = bytesPerSecond;
            return this;
        }

        /** Extra producer settings, applied last. */
        public Builder producerOverride(String key, Object value) {
            producerOverrides.put(key, value);
            return this;
        }

        public PublisherSettings build() {
            return new PublisherSettings(this);
        }
    }
}
