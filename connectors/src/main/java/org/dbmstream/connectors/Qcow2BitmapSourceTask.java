package org.dbmstream.connectors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
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
import org.dbmstream.source.MigrationFingerprint;
import org.dbmstream.source.OutgoingRecord;
import org.dbmstream.source.RateLimiter;
import org.dbmstream.source.RecordSerializers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes its share of the images, one migration after the other, as raw byte records. Each record
 * carries the source offset "next position of this image's migration", so after a restart the task
 * skips exactly what was committed and resumes; an image whose migration is done is not sent again
 * (until the file changes, which makes a new migration id). With connector-defined transaction
 * boundaries, it commits once per migration.
 */
public final class Qcow2BitmapSourceTask extends SourceTask {
    private static final Logger LOG = LoggerFactory.getLogger(Qcow2BitmapSourceTask.class);
    private static final long IDLE_MILLIS = 1000;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private Qcow2BitmapSourceConnectorConfig config;
    private Topics topics;
    private RecordSerializers serializers;
    private String sourceId;
    private RateLimiter limiter;
    private final Deque<Path> pending = new ArrayDeque<>();
    private final List<Path> assigned = new ArrayList<>();
    /** Migration ids this task has seen through (published, or found published): image to id. */
    private final Map<Path, String> published = new HashMap<>();
    /** Migration id and fingerprint by file identity (path, size, modification time). */
    private final Map<String, IdentifiedImage> identified = new HashMap<>();
    private long rescanNanos;
    private long nextRescan;
    private ImageMigration current;
    /** Sync mode: the rounds, instead of migrations through the worker's producer. */
    private SyncRounds rounds;

    @Override
    public String version() {
        return ConnectorVersion.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        config = new Qcow2BitmapSourceConnectorConfig(props);
        topics = new Topics(config.topicPrefix());
        serializers = RecordSerializers.of(props);
        sourceId = config.sourceId(props.getOrDefault("name", "qcow2-bitmaps"));
        limiter = config.rateLimit() > 0 ? RateLimiter.of(config.rateLimit()) : null;
        config.taskImages().forEach(p -> assigned.add(Path.of(p)));
        pending.addAll(assigned);
        rescanNanos = TimeUnit.MILLISECONDS.toNanos(config.rescanInterval());
        nextRescan = System.nanoTime() + rescanNanos;
        if (config.syncMode()) {
            rounds = new SyncRounds(SyncMode.open(config, props, config.target(), config.topicPrefix(), sourceId,
                    config.rateLimit()), config.rescanInterval());
        }
        LOG.info("task of {} {} {} image(s)", sourceId, rounds != null ? "keeps current" : "publishes", pending.size());
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
            // sync mode: the task's own clients publish and confirm; nothing goes through the worker's producer
            rounds.lookIfDue(assigned, image -> ImageMigration.request(image, config).replace(true).build());
            stopped.await(Math.min(IDLE_MILLIS, Math.max(1, rounds.waitMillis())), TimeUnit.MILLISECONDS);
            return null;
        }
        if (current == null && !openNext() && !(rescanDue() && openNext())) {
            // everything published: idle until stopped (or the next look for changed images)
            stopped.await(rescanNanos > 0 ? Math.min(IDLE_MILLIS, TimeUnit.NANOSECONDS.toMillis(rescanNanos))
                    : IDLE_MILLIS, TimeUnit.MILLISECONDS);
            return null;
        }
        List<SourceRecord> batch = new ArrayList<>();
        Map<String, String> partition = SourceOffsets.partition(current.image());
        var records = current.records();
        SourceRecord last = null;
        while (records.hasNext() && batch.size() < config.batchRecords() && stopped.getCount() > 0) {
            OutgoingRecord r = records.next();
            if (limiter != null) {
                limiter.acquire(r.bytes());
            }
            boolean done = !records.hasNext();
            var offset = new SourceOffsets(current.migrationId(), r.position() + 1, done).toMap();
            last = new SourceRecord(partition, offset, r.topic(), r.partition(), Schema.BYTES_SCHEMA, r.key(),
                    Schema.BYTES_SCHEMA, r.value(), null, r.isSpec() ? current.specHeaders() : null);
            batch.add(last);
        }
        if (!records.hasNext()) {
            LOG.info("migration {} of {}: all {} records handed to the worker", current.migrationId(),
                    current.image(), records.size());
            TransactionContext tx = context.transactionContext();
            if (tx != null && last != null) {
                tx.commitTransaction(last);
            }
            published.put(current.image(), current.migrationId());
            closeCurrent();
        }
        return batch;
    }

    /** With rescans on and one due: queues every assigned image again (unchanged ones are skipped). */
    private boolean rescanDue() {
        if (rescanNanos == 0 || System.nanoTime() < nextRescan) {
            return false;
        }
        nextRescan = System.nanoTime() + rescanNanos;
        pending.addAll(assigned);
        return true;
    }

    /**
     * Opens the next image that still has records to send; false when none is left. An image that cannot
     * be published fails the task, or with rescans on is skipped until the next look (a running VM's
     * image has in_use bitmaps until it stops).
     */
    private boolean openNext() {
        while (!pending.isEmpty()) {
            Path image = pending.poll();
            try {
                if (!java.nio.file.Files.isRegularFile(image)) {
                    throw new java.io.FileNotFoundException("no such image file " + image);
                }
                IdentifiedImage identified = identify(image);
                String id = identified.migrationId();
                if (id.equals(published.get(image))) {
                    continue;
                }
                if (!identified.hasBitmaps()) {
                    // an empty migration could never end on the destination: nothing to publish
                    LOG.info("{} has no bitmap to migrate (with this mapping): nothing published", image);
                    published.put(image, id);
                    continue;
                }
                var stored = context.offsetStorageReader().offset(SourceOffsets.partition(image));
                long resumeAt = 0;
                if (stored != null) {
                    SourceOffsets at = SourceOffsets.parse(SourceOffsets.partition(image), stored);
                    if (at.migration().equals(id) && at.done()) {
                        LOG.info("migration {} of {} was published already", id, image);
                        published.put(image, id);
                        continue;
                    }
                    if (at.migration().equals(id)) {
                        resumeAt = at.position();
                    } else {
                        // what a rescan is for: not a problem
                        LOG.info("{} changed since migration {} (now {}): publishing it as a new migration", image,
                                at.migration(), id);
                    }
                }
                ImageMigration m = ImageMigration.open(image, id, identified.fingerprint(), config, topics, serializers,
                        sourceId);
                if (resumeAt > m.records().size()) {
                    m.close();
                    throw new ConnectException("stored position " + resumeAt + " of migration " + id + " is past its "
                            + m.records().size() + " records");
                }
                m.records().skip(resumeAt);
                LOG.info("{} migration {} of {} at record {} of {}", resumeAt == 0 ? "starting" : "resuming", id, image,
                        resumeAt, m.records().size());
                current = m;
                return true;
            } catch (IOException | RuntimeException e) {
                if (rescanNanos > 0) {
                    LOG.warn("skipping {} until the next look: {}", image, e.getMessage());
                    continue;
                }
                throw new ConnectException("cannot publish the bitmaps of " + image + ": " + e.getMessage(), e);
            }
        }
        return false;
    }

    /** An image's migration id and content fingerprint. */
    private record IdentifiedImage(String migrationId, String fingerprint, boolean hasBitmaps) {
    }

    /**
     * The migration id and content fingerprint of {@code image}; the fingerprint (reading the bitmaps) is
     * computed once per file identity, not at every rescan.
     */
    private IdentifiedImage identify(Path image) throws IOException {
        String fileIdentity = ImageMigration.fileIdentity(image);
        IdentifiedImage known = identified.get(fileIdentity);
        if (known == null) {
            MigrationFingerprint.Content content = MigrationFingerprint.of(ImageMigration.request(image, config).build());
            known = new IdentifiedImage(ImageMigration.migrationId(config.migrationPrefix(), image, fileIdentity,
                    content.fingerprint()), content.fingerprint(), !content.bitmaps().isEmpty());
            identified.put(fileIdentity, known);
        }
        return known;
    }

    private void closeCurrent() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    @Override
    public void stop() {
        stopped.countDown();
    }
}
