package org.dbmstream.connectors;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.TransactionContext;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationPlan;
import org.dbmstream.source.MigrationPlanner;
import org.dbmstream.source.MigrationRecords;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.NbdSnapshot;
import org.dbmstream.source.OutgoingRecord;
import org.dbmstream.source.RecordSerializers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads its exports' bitmaps over NBD and publishes each new content as a migration whose id is derived
 * from that content, so a restarted task that reads the same bits resumes the same migration at its
 * committed offset (partition {@code {"nbd": uri}}), and content already published is not sent again.
 */
public final class NbdBitmapSourceTask extends SourceTask {
    private static final Logger LOG = LoggerFactory.getLogger(NbdBitmapSourceTask.class);
    private static final long IDLE_MILLIS = 1000;
    private static final String PARTITION_KEY = "nbd";

    private final CountDownLatch stopped = new CountDownLatch(1);
    private NbdBitmapSourceConnectorConfig config;
    private Topics topics;
    private RecordSerializers serializers;
    private String sourceId;
    private final List<String> uris = new ArrayList<>();
    /** When each export is read next (System.nanoTime), Long.MAX_VALUE for never. */
    private final Map<String, Long> due = new HashMap<>();
    private final Map<String, String> published = new HashMap<>();
    private Current current;
    /** Sync mode: the rounds, instead of migrations through the worker's producer. */
    private SyncRounds rounds;

    /** The migration being sent: its export, snapshot (temporary files) and records. */
    private record Current(String uri, String migrationId, NbdSnapshot snapshot, MigrationPlan plan,
            MigrationRecords records) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            plan.close();
            snapshot.close();
        }
    }

    @Override
    public String version() {
        return ConnectorVersion.VERSION;
    }

    @Override
    public void start(final Map<String, String> props) {
        config = new NbdBitmapSourceConnectorConfig(props);
        topics = new Topics(config.topicPrefix());
        serializers = RecordSerializers.of(props);
        sourceId = config.sourceId(props.getOrDefault("name", "nbd-bitmaps"));
        config.taskUris().forEach(u -> {
            uris.add(u.trim());
            due.put(u.trim(), 0L);
        });
        if (config.syncMode()) {
            rounds = new SyncRounds(SyncMode.open(config, props, config.target(), config.topicPrefix(), sourceId, 0),
                    config.pollInterval());
        }
        LOG.info("task of {} reads {} NBD export(s){}", sourceId, uris.size(), rounds != null ? " (sync)" : "");
    }

    /** Sync mode: one round of an export's bitmaps as they are now (read into temporary files, deleted after). */
    private void syncLook() throws InterruptedException {
        List<NbdSnapshot> snapshots = new ArrayList<>();
        try {
            rounds.lookIfDue(uris, uri -> {
                NbdSnapshot snapshot = NbdSnapshot.read(uri, new NbdSnapshot.Defaults(null, config.granularity(),
                        config.enabled(), config.persistent(), Duration.ofMillis(config.timeoutMillis()), config.tls()));
                snapshots.add(snapshot);
                return MigrationRequest.builder().target(config.target()).inputs(snapshot.inputs()).replace(true)
                        .build();
            });
        } finally {
            snapshots.forEach(NbdBitmapSourceTask::closeQuietly);
        }
    }

    static Map<String, String> partition(final String uri) {
        return Map.of(PARTITION_KEY, uri);
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (stopped.getCount() == 0) {
            closeCurrent();
            if (rounds != null) {
                rounds.close();
                rounds = null;
            }
            return null;
        }
        if (rounds != null) {
            syncLook();
            stopped.await(Math.min(IDLE_MILLIS, Math.max(1, rounds.waitMillis())), TimeUnit.MILLISECONDS);
            return null;
        }
        if (current == null && !openNext()) {
            stopped.await(IDLE_MILLIS, TimeUnit.MILLISECONDS);
            return null;
        }
        final List<SourceRecord> batch = new ArrayList<>();
        final MigrationRecords records = current.records();
        SourceRecord last = null;
        while (records.hasNext() && batch.size() < config.batchRecords() && stopped.getCount() > 0) {
            final OutgoingRecord r = records.next();
            final var offset = new SourceOffsets(current.migrationId(), r.position() + 1, !records.hasNext()).toMap();
            last = new SourceRecord(partition(current.uri()), offset, r.topic(), r.partition(), Schema.BYTES_SCHEMA, r.key(),
                    Schema.BYTES_SCHEMA, r.value());
            batch.add(last);
        }
        if (!records.hasNext()) {
            LOG.info("migration {} of {}: all {} records handed to the worker", current.migrationId(), current.uri(),
                    records.size());
            final TransactionContext tx = context.transactionContext();
            if (tx != null && last != null) {
                tx.commitTransaction(last);
            }
            published.put(current.uri(), current.migrationId());
            closeCurrent();
        }
        return batch;
    }

    /** Reads the next export that is due; true when it has records to send. */
    private boolean openNext() {
        final long now = System.nanoTime();
        for (final String uri : uris) {
            if (due.get(uri) > now) {
                continue;
            }
            due.put(uri, config.pollInterval() > 0
                    ? now + TimeUnit.MILLISECONDS.toNanos(config.pollInterval()) : Long.MAX_VALUE);
            NbdSnapshot snapshot = null;
            try {
                snapshot = NbdSnapshot.read(uri, new NbdSnapshot.Defaults(null, config.granularity(), config.enabled(),
                        config.persistent(), Duration.ofMillis(config.timeoutMillis()), config.tls()));
                final String id = config.migrationPrefix() + snapshot.node() + "-" + snapshot.fingerprint();
                long resumeAt = 0;
                final var stored = context.offsetStorageReader().offset(partition(uri));
                if (stored != null) {
                    final SourceOffsets at = SourceOffsets.parse(partition(uri), stored);
                    if (at.migration().equals(id)) {
                        if (at.done()) {
                            published.put(uri, id);
                        }
                        resumeAt = at.position();
                    }
                }
                if (id.equals(published.get(uri))) {
                    LOG.info("bitmaps of {} unchanged since migration {}", uri, id);
                    snapshot.close();
                    continue;
                }
                final MigrationPlan plan = MigrationPlanner.plan(MigrationRequest.builder().migrationId(id)
                        .target(config.target()).chunkSize(config.chunkSize()).inputs(snapshot.inputs()).build());
                final MigrationRecords records = new MigrationRecords(plan, topics, serializers, sourceId);
                records.skip(resumeAt);
                LOG.info("{} migration {} of {} at record {} of {}", resumeAt == 0 ? "starting" : "resuming", id, uri,
                        resumeAt, records.size());
                current = new Current(uri, id, snapshot, plan, records);
                return true;
            } catch (IOException | RuntimeException e) {
                closeQuietly(snapshot);
                if (config.pollInterval() > 0) {
                    LOG.warn("cannot read {} now, trying again in {} ms: {}", uri, config.pollInterval(), e.getMessage());
                    continue;
                }
                throw new ConnectException("cannot publish the bitmaps of " + uri + ": " + e.getMessage(), e);
            }
        }
        return false;
    }

    private static void closeQuietly(final NbdSnapshot snapshot) {
        if (snapshot != null) {
            try {
                snapshot.close();
            } catch (IOException e) {
                LOG.debug("cannot delete temporary bitmap files: {}", e.toString());
            }
        }
    }

    private void closeCurrent() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                LOG.debug("cannot delete temporary bitmap files: {}", e.toString());
            }
            current = null;
        }
    }

    @Override
    public void stop() {
        stopped.countDown();
    }
}
