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
import org.dbmstream.serdes.ServiceCheck;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.DestinationCatchUp;
import org.dbmstream.source.MigrationOutcome;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.MigrationWatcher;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublishedMigrations;
import org.dbmstream.source.PublishResult;
import org.dbmstream.source.PublisherSettings;
import org.dbmstream.source.WritesFile;
import org.dbmstream.source.WritesPublisher;
import org.dbmstream.topology.DestinationConfig;

/** Publishes one migration, then follows its events on the destination until a final one (or time out). */
final class MigrationRunner {
    private static final Duration ID_CHECK_TIMEOUT = Duration.ofSeconds(30);
    private final String servers;
    private final Topics topics;
    private final Map<String, String> extra;
    private boolean transactional;
    private long rateLimit;
    private List<WritesFile.Write> writes = List.of();
    private Consumer<PublishedMigrations.Existing> onRetry = e -> { };

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


    /** Told when the migration id exists with the same content: nothing is published, its outcome is reported. */
    MigrationRunner onRetry(final Consumer<PublishedMigrations.Existing> listener) {
        this.onRetry = listener;
        return this;
    }

    /** The migration id exists on the migrations topic with other content: nothing was published. */
    static final class MigrationIdTakenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MigrationIdTakenException(final String message) {
            super(message);
        }
    }

    /** What was published and how the destination ended the migration. */
    record Result(PublishResult published, MigrationOutcome outcome) {
    }

    private static MigrationWatcher sinceOrAll(final MigrationWatcher watcher, final java.time.Instant since) {
        return since == null ? watcher : watcher.since(since);
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
        java.time.Instant since = java.time.Instant.now().minus(Duration.ofMinutes(1));
        final Map<String, Object> consumerKeys = new java.util.HashMap<>();
        extra.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(k)) {
                consumerKeys.put(k, v);
            }
        });
        // a migration id is an identity: other content under an existing id is refused before anything
        // is sent, the same content is a retry whose outcome is the existing migration's
        final var existing = PublishedMigrations.find(servers, topics, extra, consumerKeys, request.migrationId(),
                ID_CHECK_TIMEOUT);
        final PublishResult published;
        if (existing.isEmpty()) {
            published = publish(request, progress, onPublished);
        } else if (existing.get().sameContent(request.fingerprint())) {
            onRetry.accept(existing.get());
            published = new PublishResult(request.migrationId(), request.target(), java.util.List.of(), 0, 0, 0);
            since = null;
        } else {
            throw new MigrationIdTakenException("migration id '" + request.migrationId() + "' is taken: "
                    + topics.migrations() + " holds a migration with other content under it ("
                    + existing.get().describe() + "); nothing was published. Choose another --migration-id "
                    + "(or leave it out for a fresh one).");
        }
        if (!writes.isEmpty() && existing.isEmpty()) {
            final Map<String, Object> producerKeys = new java.util.HashMap<>();
            extra.forEach((k, v) -> {
                if (ProducerConfig.configNames().contains(k)) {
                    producerKeys.put(k, v);
                }
            });
            WritesPublisher.publish(servers, topics, extra, producerKeys, published.migration(), published.target(),
                    writes);
        }
        try (MigrationWatcher watcher = sinceOrAll(
                new MigrationWatcher(servers, topics, extra, published.migration(), consumerKeys), since)) {
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
