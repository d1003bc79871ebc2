package org.dbmstream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.serdes.AvroSerde;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.store.StoreNames;

/**
 * One run of the destination application ({@link DestinationApp}, what {@code dbm destination} runs)
 * with its defaults (exactly_once_v2, RocksDB stores) over a chunks topic already filled: timed from its first
 * records polled (group join and task initialization excluded, as for the plain consumer; see
 * {@link FirstRecordsMark}) until the migration's MigrationCompleted event is readable.
 */
final class TopologyRun {

    /**
     * Elapsed time, heap in use after a full GC with the application still open, the number of
     * BitmapCompleted events with their distinct sha256s and counts, and the state directory's size
     * on disk after a clean close.
     */
    record Result(long nanos, long heapAfterBytes, long completed, Set<String> sha256s, Set<Long> counts,
            long stateBytes, Map<String, Object> threadTime, long bitsChangelogRecords) {
    }

    private TopologyRun() {
    }

    static DestinationConfig config(String bootstrap, Topics topics, Path stateDir, Map<String, String> settings) {
        return DestinationConfig.defaults(bootstrap, stateDir).withTopicPrefix(topics.prefix())
                .withApplicationId("bench-" + topics.prefix().replace('.', '-') + System.nanoTime())
                .withExtra(settings).withExtra(FirstRecordsMark.streamsProperties());
    }

    /** Runs until MigrationCompleted and {@code bitmaps} BitmapCompleted events of {@code migration} were read. */
    static Result run(String bootstrap, Topics topics, Path stateDir, String migration, int bitmaps,
            Map<String, String> settings, Duration timeout) {
        DestinationConfig config = config(bootstrap, topics, stateDir, settings);
        AvroSerde<Event> eventSerde = DbmSerdes.event(Map.of());
        Result result = null;
        try (KafkaConsumer<byte[], byte[]> events = eventConsumer(bootstrap, topics.events());
             DestinationApp app = new DestinationApp(config)) {
            app.start();
            long runningAt = FirstRecordsMark.await(config.applicationId(), timeout, () -> {
                if (app.streams().state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("the destination topology failed");
                }
            });
            CpuClock cpu = CpuClock.start();
            long deadline = System.nanoTime() + timeout.toNanos();
            Set<String> sha256s = new HashSet<>();
            Set<Long> counts = new HashSet<>();
            long completed = 0;
            long doneAt = 0;
            long heap = 0;
            Map<String, Object> threadTime = Map.of();
            long firstEventAt = 0;
            while (doneAt == 0 || completed < bitmaps) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no MigrationCompleted for " + migration + " after " + timeout);
                }
                if (app.streams().state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("the destination topology failed");
                }
                for (ConsumerRecord<byte[], byte[]> r : events.poll(Duration.ofMillis(20))) {
                    Event e = eventSerde.deserialize(topics.events(), r.value());
                    if (!e.getMigration().equals(migration)) {
                        continue;
                    }
                    if (firstEventAt == 0) {
                        firstEventAt = System.nanoTime();
                    }
                    Object body = e.getBody();
                    if (body instanceof BitmapCompleted c) {
                        completed++;
                        sha256s.add(c.getSha256());
                        counts.add(c.getCount());
                    } else if (body instanceof MigrationFailed || body instanceof MigrationCancelled) {
                        throw new IllegalStateException("migration " + migration + " ended with " + body);
                    } else if (body instanceof MigrationCompleted) {
                        // events of other partitions may still be on their way: the clock stops here
                        doneAt = System.nanoTime();
                        threadTime = threadTime(app.streams(), doneAt - runningAt);
                        threadTime.putAll(cpu.since());
                        // start-up inside the timed run: first records polled to the first event (the first chunk's BitmapStarted)
                        threadTime.put("first_event_ms", Math.round((firstEventAt - runningAt) / 1e6));
                        heap = heapAfterGc();
                    }
                }
            }
            result = new Result(doneAt - runningAt, heap, completed, sha256s, counts, 0, threadTime, 0);
        }
        // closed: RocksDB has flushed its memtables, so the files show what the state really takes
        return new Result(result.nanos(), result.heapAfterBytes(), result.completed(), result.sha256s(),
                result.counts(), sizeOf(stateDir), result.threadTime(),
                ChangelogCount.committedRecords(bootstrap, config.applicationId() + "-" + StoreNames.BITS + "-changelog"));
    }

    /**
     * Where the stream thread's time went over the run, from Kafka Streams' and its producer's own
     * metrics (totals since start, so group join and restoration are included): commits and the time
     * they took, the producer's flush and transaction-commit time inside them, and the time spent
     * processing records.
     */
    private static Map<String, Object> threadTime(KafkaStreams streams, long runNanos) {
        double commits = 0;
        double commitLatencyMs = 0;
        double processTotal = 0;
        double processLatencyMs = 0;
        double flushNs = 0;
        double txnCommitNs = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName n = e.getKey();
            if (n.name().endsWith("uncommitted-bytes")) {
                continue; // reading it after a task moved crashed the JVM in RocksDB (see DestinationMetrics)
            }
            Object v = e.getValue().metricValue();
            if (!(v instanceof Number number) || Double.isNaN(number.doubleValue())) {
                continue;
            }
            double d = number.doubleValue();
            if (n.group().equals("stream-thread-metrics")) {
                switch (n.name()) {
                    case "commit-total" -> commits += d;
                    case "commit-latency-avg" -> commitLatencyMs = d;
                    case "process-total" -> processTotal += d;
                    case "process-latency-avg" -> processLatencyMs = d;
                    default -> { }
                }
            } else if (n.group().equals("producer-metrics")) {
                switch (n.name()) {
                    case "flush-time-ns-total" -> flushNs += d;
                    case "txn-commit-time-ns-total" -> txnCommitNs += d;
                    default -> { }
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_ms", Math.round(runNanos / 1e6));
        m.put("commits", Math.round(commits));
        m.put("commit_latency_avg_ms", Math.round(commitLatencyMs * 10) / 10.0);
        m.put("producer_flush_ms", Math.round(flushNs / 1e6));
        m.put("txn_commit_ms", Math.round(txnCommitNs / 1e6));
        m.put("process_calls", Math.round(processTotal));
        m.put("process_latency_avg_ms", Math.round(processLatencyMs * 1000) / 1000.0);
        return m;
    }

    /** Bytes of the files under {@code dir}. */
    static long sizeOf(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            return -1;
        }
    }

    private static KafkaConsumer<byte[], byte[]> eventConsumer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // the stopwatch: a fetch parked on the broker must not add its wait to the measured time
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(partitions);
        c.seekToBeginning(partitions);
        return c;
    }

    private static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
