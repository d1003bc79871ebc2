package org.dbmstream.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
import org.dbmstream.source.PublishedMigrations;
import org.dbmstream.source.PublishResult;
import org.dbmstream.source.PublisherSettings;
import org.dbmstream.source.WritesFile;
import org.dbmstream.source.WritesPublisher;

/** Publishes one migration, then follows its events on the destination until a final one (or time out). */
final class MigrationRunner {
    private static final Duration ID_CHECK_TIMEOUT = Duration.ofSeconds(30);
    private final String servers;
    private final Topics topics;
    private final Map<String, String> extra;
    private boolean transactional;
    private long rateLimit;
    private List<WritesFile.Write> writes = List.of();
    private boolean awaitFinalState;
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

    /**
     * Once the migration completed, wait for the destination's final state: a write barrier published after
     * the writes, answered by every loading partition (its answers carry the bitmaps as they are then).
     */
    MigrationRunner awaitFinalState(final boolean on) {
        this.awaitFinalState = on;
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
            if ((awaitFinalState || !writes.isEmpty()) && outcome.status() == MigrationOutcome.Status.COMPLETED) {
                awaitWrites(watcher, published, timeout, onEvent);
            }
            return new Result(published, outcome);
        }
    }

    /**
     * Waits until every loading partition of the destination applied the writes published on the target:
     * a write barrier goes out after them on the writes topic (same key, hence after them in order) and
     * each partition answers it once the writes before it applied, held ones included (at the
     * switchover). It is published once the migration completed, so every bitmap of it completed where it
     * loads before the barrier arrives there, and each answer holds those bitmaps as they are then.
     */
    private void awaitWrites(final MigrationWatcher watcher, final PublishResult published, final Duration timeout,
            final Consumer<Event> onEvent) throws InterruptedException {
        final Map<String, Object> producerKeys = new java.util.HashMap<>(extra);
        producerKeys.keySet().retainAll(ProducerConfig.configNames());
        final String barrier = WritesPublisher.barrier(servers, topics, extra, producerKeys, published.migration(),
                published.target());
        final int partitions = loadingPartitions();
        if (!watcher.awaitBarrier(barrier, partitions, timeout, onEvent)) {
            throw new IllegalStateException("the destination did not answer that it applied the writes within "
                    + timeout + " (write barrier " + barrier + ", " + partitions + " partitions; a destination older "
                    + "than this dbm does not answer write barriers)");
        }
    }

    /**
     * The destination's loading partitions: one per partition of the chunks topic (its control topic has as
     * many, which the destination checks at start), a topic the source may describe already.
     */
    private int loadingPartitions() throws InterruptedException {
        final Map<String, Object> admin = new java.util.HashMap<>(extra);
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        admin.keySet().retainAll(AdminClientConfig.configNames());
        final String chunks = topics.chunks();
        try (Admin client = Admin.create(admin)) {
            return client.describeTopics(List.of(chunks)).allTopicNames().get().get(chunks).partitions().size();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot describe the topic " + chunks + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }
}
