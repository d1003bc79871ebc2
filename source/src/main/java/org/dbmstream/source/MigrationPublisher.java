package org.dbmstream.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.dbmstream.bitmap.chunk.Chunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes migrations to Kafka, QEMU's save side as a producer: first the migration spec to the
 * compacted {@code migrations} topic (acknowledged — committed, with transactions — before any chunk
 * goes out, so the destination knows the target and mapping when chunks arrive), then START for every
 * bitmap, EOS, the BITS/ZEROES chunks, EOS, COMPLETE for every bitmap and the final EndOfStream with
 * the manifest. With transactions on, all chunks of a migration become visible at once. Reports
 * progress (QEMU's pending estimate) to a {@link PublishListener}. One migration at a time.
 */
public final class MigrationPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MigrationPublisher.class);
    private static final long CANCEL_WAIT_S = 30;

    private final PublisherSettings settings;
    private final Producer<byte[], byte[]> producer;
    private final RecordSerializers serializers;
    private boolean transactionsReady;
    private int chunkPartitions;

    public MigrationPublisher(PublisherSettings settings) {
        this.settings = settings;
        this.serializers = RecordSerializers.of(settings.serdeConfig());
        this.producer = new KafkaProducer<>(settings.producerConfig());
    }

    public PublisherSettings settings() {
        return settings;
    }

    /** Plans and publishes {@code request}; selection and mapping errors come before anything is sent. */
    public PublishResult publish(MigrationRequest request, PublishListener listener) throws IOException {
        try (MigrationPlan plan = MigrationPlanner.plan(request)) {
            return publish(plan, listener);
        }
    }

    /** Publishes a planned migration (the plan is consumed; the caller closes it). */
    public synchronized PublishResult publish(MigrationPlan plan, PublishListener listener) {
        MigrationRecords records = new MigrationRecords(plan, settings.topics(), serializers, settings.sourceId())
                .partitioned(chunkPartitions());
        RateLimiter limiter = settings.rateLimitBytesPerSecond() > 0 ? RateLimiter.of(settings.rateLimitBytesPerSecond())
                : null;
        Progress progress = new Progress(plan.migrationId(), records.totalBits());
        LOG.info("publishing migration {} (target '{}'): {} bitmaps, {} records", plan.migrationId(), plan.target(),
                plan.bitmaps().size(), records.size());
        listener.started(progress.snapshot(records.pendingBits()));
        OutgoingRecord spec = null;
        try {
            spec = records.next();
            sendSpec(spec, plan.fingerprint(), progress, limiter);
            listener.progressed(progress.snapshot(records.pendingBits()));
            AtomicReference<Exception> failure = new AtomicReference<>();
            // one callback for every record (not a new one per record): it only keeps the first failure
            Callback keepFailure = (md, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            };
            beginTransaction();
            while (records.hasNext()) {
                OutgoingRecord r = records.next();
                throttle(limiter, r);
                producer.send(new ProducerRecord<>(r.topic(), r.partition(), r.key(), r.value()), keepFailure);
                progress.sent(r);
                checkFailure(failure, plan);
                listener.progressed(progress.snapshot(r.pendingBits()));
            }
            producer.flush();
            checkFailure(failure, plan);
            commitTransaction();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(plan);
            cancel(plan, spec, progress, "interrupted");
            throw new PublishException("interrupted while publishing migration " + plan.migrationId(), e);
        } catch (RuntimeException e) {
            // whatever failed (the broker, a listener), no half-sent migration stays in an open transaction
            abort(plan);
            cancel(plan, spec, progress, e.getMessage() != null ? e.getMessage() : e.toString());
            throw e instanceof KafkaException
                    ? new PublishException("cannot publish migration " + plan.migrationId() + ": " + e.getMessage(), e)
                    : e;
        }
        progress.phase = PublishPhase.DONE;
        PublishProgress last = progress.snapshot(0);
        PublishResult result = new PublishResult(plan.migrationId(), plan.target(), plan.bitmaps(), last.records(),
                last.bytes(), last.elapsedNanos());
        listener.finished(last, result);
        LOG.info("published migration {}: {} records, {} bytes in {} ms", plan.migrationId(), last.records(),
                last.bytes(), last.elapsedNanos() / 1_000_000);
        return result;
    }

    /** Partitions of the chunks topic (a bitmap's chunks go to its identity's partition). */
    private int chunkPartitions() {
        if (chunkPartitions == 0) {
            chunkPartitions = producer.partitionsFor(settings.topics().chunks()).size();
        }
        return chunkPartitions;
    }

    /** The spec goes out alone and is acknowledged (committed) before the first chunk. */
    private void sendSpec(OutgoingRecord spec, String fingerprint, Progress progress, RateLimiter limiter)
            throws InterruptedException {
        throttle(limiter, spec);
        beginTransaction();
        try {
            var record = new ProducerRecord<>(spec.topic(), spec.key(), spec.value());
            if (fingerprint != null) {
                record.headers().add(MigrationFingerprint.HEADER, fingerprint.getBytes(StandardCharsets.UTF_8));
            }
            var sent = producer.send(record);
            producer.flush(); // send it now rather than after linger.ms: nothing else is coming until it is acked
            sent.get();
        } catch (ExecutionException e) {
            throw new PublishException("cannot write the migration spec to " + spec.topic() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
        commitTransaction();
        progress.sent(spec);
    }

    /**
     * After a failure the publisher survived, once the spec went out: publishes the spec again with a
     * cancel header, so the destination ends the migration (QEMU cancels the incoming side when the stream
     * breaks) instead of keeping its bitmaps loading forever. Best effort: a broker that is gone gets
     * nothing, and the destination's idle timeout ends the migration instead.
     */
    private void cancel(MigrationPlan plan, OutgoingRecord spec, Progress progress, String why) {
        if (spec == null || progress.records == 0) {
            return; // the spec never went out: the destination knows nothing of this migration
        }
        String reason = "source cancelled migration '" + plan.migrationId() + "': " + why;
        try {
            var record = new ProducerRecord<>(spec.topic(), spec.key(), spec.value());
            if (plan.fingerprint() != null) {
                record.headers().add(MigrationFingerprint.HEADER, plan.fingerprint().getBytes(StandardCharsets.UTF_8));
            }
            record.headers().add(org.dbmstream.serdes.SpecHeaders.CANCEL, reason.getBytes(StandardCharsets.UTF_8));
            beginTransaction();
            var sent = producer.send(record);
            producer.flush();
            sent.get(CANCEL_WAIT_S, java.util.concurrent.TimeUnit.SECONDS);
            commitTransaction();
            LOG.warn("published a cancel of migration {}: {}", plan.migrationId(), reason);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("could not publish the cancel of migration {} (interrupted)", plan.migrationId());
        } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.error("could not publish the cancel of migration {}: {}; the destination ends it after its idle "
                    + "timeout", plan.migrationId(), e.toString());
        }
    }

    private static void throttle(RateLimiter limiter, OutgoingRecord r) throws InterruptedException {
        if (limiter != null) {
            limiter.acquire(r.bytes());
        }
    }

    private static void checkFailure(AtomicReference<Exception> failure, MigrationPlan plan) {
        Exception e = failure.get();
        if (e != null) {
            throw new PublishException("cannot publish migration " + plan.migrationId() + ": " + e.getMessage(), e);
        }
    }

    private void beginTransaction() {
        if (!settings.transactional()) {
            return;
        }
        if (!transactionsReady) {
            producer.initTransactions();
            transactionsReady = true;
        }
        producer.beginTransaction();
    }

    private void commitTransaction() {
        if (settings.transactional()) {
            producer.commitTransaction();
        }
    }

    private void abort(MigrationPlan plan) {
        if (!settings.transactional() || !transactionsReady) {
            return;
        }
        try {
            producer.abortTransaction();
            LOG.warn("aborted the transaction of migration {}: none of its chunks became visible", plan.migrationId());
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            LOG.error("cannot abort the transaction of migration {}: {}", plan.migrationId(), e.toString());
        } catch (KafkaException | IllegalStateException e) {
            // no transaction in flight (e.g. the spec's own failed before begin): nothing to abort
            LOG.debug("abort of migration {} not needed: {}", plan.migrationId(), e.toString());
        }
    }

    @Override
    public void close() {
        producer.close();
        serializers.close();
    }

    /** Counters of one publication. */
    private static final class Progress {
        final String migration;
        final long totalBits;
        final long started = System.nanoTime();
        long records;
        long bytes;
        PublishPhase phase = PublishPhase.SETUP;
        boolean sawEos;

        Progress(String migration, long totalBits) {
            this.migration = migration;
            this.totalBits = totalBits;
        }

        void sent(OutgoingRecord r) {
            records++;
            bytes += r.bytes();
            Chunk c = r.chunk();
            if (c instanceof Chunk.EndOfStream && !sawEos) {
                sawEos = true;
                phase = PublishPhase.BULK;
            } else if (c instanceof Chunk.Complete) {
                phase = PublishPhase.COMPLETION;
            }
        }

        PublishProgress snapshot(long pendingBits) {
            return new PublishProgress(migration, phase, totalBits, pendingBits, records, bytes,
                    System.nanoTime() - started);
        }
    }
}
