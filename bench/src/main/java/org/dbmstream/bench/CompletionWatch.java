package org.dbmstream.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.serdes.AvroSerde;
import org.dbmstream.serdes.DbmSerdes;

/**
 * Reads the events topic ({@code read_committed}, fetches waiting at most 5 ms so that the watch adds no
 * wait of its own) on a thread of its own and notes when each migration's MigrationCompleted became
 * readable; checks every BitmapCompleted's sha256 against the generator's, by case (the migration name
 * up to its last '-') and bitmap name.
 */
final class CompletionWatch implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Map<String, Long> completedAt = new ConcurrentHashMap<>();
    private final Map<String, String> ended = new ConcurrentHashMap<>();
    private final Map<String, String> expected = new ConcurrentHashMap<>();
    private final AtomicLong mismatches = new AtomicLong();
    private volatile boolean closed;

    CompletionWatch(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        AvroSerde<Event> serde = DbmSerdes.event(Map.of());
        thread = new Thread(() -> {
            try {
                while (!closed) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                        note(serde.deserialize(topic, r.value()), System.nanoTime());
                    }
                }
            } catch (WakeupException stopping) {
                // closed
            }
        }, "bench-completion-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** The sha256 bitmap {@code bitmap} of the migrations of case {@code fleet} must end with. */
    void expect(String fleet, String bitmap, String sha256) {
        expected.put(fleet + "/" + bitmap, sha256);
    }

    private void note(Event e, long now) {
        String migration = e.getMigration();
        Object body = e.getBody();
        if (body instanceof BitmapCompleted c) {
            String fleet = migration.substring(0, Math.max(0, migration.lastIndexOf('-')));
            String want = expected.get(fleet + "/" + e.getBitmap());
            if (want == null || !want.equals(c.getSha256())) {
                mismatches.incrementAndGet();
            }
        } else if (body instanceof MigrationCompleted) {
            completedAt.putIfAbsent(migration, now);
        } else if (body instanceof MigrationFailed || body instanceof MigrationCancelled) {
            ended.put(migration, String.valueOf(body));
        }
    }

    /** When {@code migration}'s MigrationCompleted was read ({@link System#nanoTime()}); waits for it. */
    long await(String migration, Duration timeout, Runnable check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Long at = completedAt.get(migration);
            if (at != null) {
                return at;
            }
            if (ended.containsKey(migration)) {
                throw new IllegalStateException("migration " + migration + " ended with " + ended.get(migration));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no MigrationCompleted for " + migration + " after " + timeout);
            }
            check.run();
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", ex);
            }
        }
    }

    /** BitmapCompleted events whose sha256 was not the generator's. */
    long mismatches() {
        return mismatches.get();
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
    }
}
