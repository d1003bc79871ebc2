package org.dbmstream.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.schemas.Event;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.DestinationCatchUp;
import org.dbmstream.source.MigrationOutcome;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.MigrationWatcher;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublishResult;
import org.dbmstream.source.PublisherSettings;
import org.dbmstream.source.WritesFile;
import org.dbmstream.source.WritesPublisher;
import org.dbmstream.topology.DestinationConfig;

/** Publishes one migration, then follows its events on the destination until a final one (or time out). */
final class MigrationRunner {
    private final String servers;
    private final Topics topics;
    private final Map<String, String> extra;
    private boolean transactional;
    private long rateLimit;
    private List<WritesFile.Write> writes = List.of();

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

    /** Destination writes to publish once the migration is published (after its switchover). */
    MigrationRunner writes(final List<WritesFile.Write> after) {
        this.writes = List.copyOf(after);
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
        if (!writes.isEmpty()) {
            final Map<String, Object> producerKeys = new java.util.HashMap<>();
            extra.forEach((k, v) -> {
                if (ProducerConfig.configNames().contains(k)) {
                    producerKeys.put(k, v);
                }
            });
            WritesPublisher.publish(servers, topics, extra, producerKeys, published.migration(), published.target(),
                    writes);
        }
        try (MigrationWatcher watcher =
                new MigrationWatcher(servers, topics, extra, published.migration(), consumerKeys).since(since)) {
            final MigrationOutcome outcome = watcher.await(timeout, onEvent);
            if (!writes.isEmpty() && outcome.status() == MigrationOutcome.Status.COMPLETED) {
                awaitWrites(watcher, timeout, onEvent);
            }
            return new Result(published, outcome);
        }
    }

    /**
     * Waits until the destination consumed the writes and the control records that carry them to every
     * partition, then reads the events they caused (committed with those offsets under exactly-once).
     */
    private void awaitWrites(final MigrationWatcher watcher, final Duration timeout, final Consumer<Event> onEvent)
            throws InterruptedException {
        final Map<String, Object> admin = new java.util.HashMap<>(extra);
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        admin.keySet().retainAll(AdminClientConfig.configNames());
        final String group = extra.getOrDefault(StreamsConfig.APPLICATION_ID_CONFIG,
                DestinationConfig.DEFAULT_APPLICATION_ID);
        final String control = topics.prefix() + DestinationConfig.CONTROL_TOPIC;
        try (Admin client = Admin.create(admin)) {
            if (!DestinationCatchUp.await(client, group, List.of(topics.writes(), control), timeout)
                    || !watcher.readToEnd(timeout, onEvent)) {
                throw new IllegalStateException("the destination did not apply the writes within " + timeout);
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot follow the destination's consumer group '" + group + "': "
                    + e.getCause().getMessage(), e.getCause());
        }
    }
}
