package org.dbmstream.cli;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.dbmstream.schemas.Event;
import org.dbmstream.serdes.ServiceCheck;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationOutcome;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.MigrationWatcher;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublishResult;
import org.dbmstream.source.PublisherSettings;

/** Publishes one migration, then follows its events on the destination until a final one (or time out). */
final class MigrationRunner {
    private final String servers;
    private final Topics topics;
    private final Map<String, String> extra;
    private boolean transactional;
    private long rateLimit;

    /**
     * @param extra client and serde settings (a {@code --config} file); producer keys reach the producer
     */
    MigrationRunner(final String servers, final Topics topics, final Map<String, String> extra) {
        this.servers = servers;
        this.topics = topics;
        this.extra = Map.copyOf(extra);
    }

    MigrationRunner transactional(final boolean on) {
        this.transactional = on;
        return this;
    }

    MigrationRunner rateLimit(final long bytesPerSecond) {
        this.rateLimit = bytesPerSecond;
        return this;
    }

    /** What was published and how the destination ended the migration. */
    record Result(PublishResult published, MigrationOutcome outcome) {
    }

    PublishResult publish(final MigrationRequest request, final PublishListener progress,
            final Consumer<PublishResult> onPublished) throws java.io.IOException {
        final PublisherSettings.Builder b = PublisherSettings.builder(servers).topics(topics).serdeConfig(extra)
                .transactional(transactional).rateLimit(rateLimit);
        extra.forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(k)) {
                b.producerOverride(k, v);
            }
        });
        final PublishResult published;
        try (MigrationPublisher publisher = new MigrationPublisher(b.build())) {
            published = publisher.publish(request, progress);
        }
        onPublished.accept(published);
        return published;
    }

    Result run(final MigrationRequest request, final PublishListener progress, final Consumer<PublishResult> onPublished,
            final Duration timeout, final Consumer<Event> onEvent) throws java.io.IOException, InterruptedException {
        // an unreachable broker or registry is a clear error within seconds, before any client waits a minute
        ServiceCheck.check(servers, extra);
        // events older than this run cannot be about it: skip them instead of reading the whole topic
        // (a minute of slack for clocks of other machines writing events)
        final java.time.Instant since = java.time.Instant.now().minus(Duration.ofMinutes(1));
        final PublishResult published = publish(request, progress, onPublished);
        final Map<String, Object> consumerKeys = new java.util.HashMap<>();
        extra.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k)) {
                consumerKeys.put(k, v);
            }
        });
        try (MigrationWatcher watcher =
                new MigrationWatcher(servers, topics, extra, published.migration(), consumerKeys).since(since)) {
            return new Result(published, watcher.await(timeout, onEvent));
        }
    }
}
