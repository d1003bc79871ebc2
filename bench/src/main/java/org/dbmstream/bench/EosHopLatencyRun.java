package org.dbmstream.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.dbmstream.broker.EmbeddedKafkaBroker;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.processor.CommitPacer;

/**
 * The fixed-latency floor of a migration's completion, independent of our topology: a minimal Kafka
 * Streams application with the destination's own properties (exactly_once_v2, its commit interval) that
 * reads one marker record, forwards it through one repartition topic (as the destination's
 * facts-by-migration hop does) and writes an output record, asking for a commit after each forward with
 * the destination's own {@link CommitPacer} ({@code dbm.event.commit.interval.ms}). Timed per marker
 * from its publish acknowledged ({@code acks=all}) to the output readable by a {@code read_committed}
 * consumer (fetches waiting at most 5 ms); markers one at a time, each after twice the pacing interval
 * of quiet (an isolated completion, as a migration's is), the first untimed: sent once the application is
 * RUNNING, it also pays the fresh application's first transactional commits (finding the transaction
 * and group coordinators), which every run of the topology bench, a fresh destination each, pays once too.
 */
final class EosHopLatencyRun {

    /** The first marker's latency (a fresh application) and the timed markers' latencies. */
    record Result(long firstNanos, List<Long> nanos) {
        double medianMs() {
            return Floors.median(nanos) / 1e6;
        }
    }

    private EosHopLatencyRun() {
    }

    /** Runs {@code markers} timed markers (plus one untimed) through topics named {@code prefix...}. */
    static Result run(EmbeddedKafkaBroker broker, DestinationConfig destination, String prefix, Path stateDir,
            int markers, Duration timeout) {
        String in = prefix + "markers";
        String out = prefix + "marked";
        broker.createTopics(3, in, out);
        long eventCommitMs = destination.eventCommitIntervalMs();
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
                .process(() -> new PacedForward(eventCommitMs), Named.as("first-hop"))
                .repartition(Repartitioned.with(Serdes.String(), Serdes.String()).withName("markers-by-key"))
                .process(() -> new PacedForward(eventCommitMs), Named.as("second-hop"))
                .to(out, Produced.with(Serdes.String(), Serdes.String()));
        Properties p = new Properties();
        p.putAll(destination.streamsProperties());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-eos-hop-" + System.nanoTime());
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        String bootstrap = broker.bootstrapServers();
        try (KafkaStreams streams = new KafkaStreams(builder.build(), p);
             KafkaProducer<String, String> producer = producer(bootstrap);
             KafkaConsumer<String, String> consumer = consumer(bootstrap, out)) {
            streams.start();
            awaitRunning(streams, timeout);
            long first = timeOne(producer, consumer, streams, in, "marker-0", timeout);
            List<Long> nanos = new ArrayList<>();
            for (int i = 1; i <= markers; i++) {
                // an isolated completion, as a migration's is: no commit request of the previous marker
                // still within the pacing interval (that would defer this one's commit to the next check)
                pause(2 * eventCommitMs);
                nanos.add(timeOne(producer, consumer, streams, in, "marker-" + i, timeout));
            }
            return new Result(first, nanos);
        }
    }

    /** Publishes one marker; returns nanoseconds from its acknowledgement to its output read. */
    private static long timeOne(KafkaProducer<String, String> producer, KafkaConsumer<String, String> consumer,
            KafkaStreams streams, String in, String marker, Duration timeout) {
        long ackedAt;
        try {
            producer.send(new ProducerRecord<>(in, marker, marker)).get();
            ackedAt = System.nanoTime();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("marker " + marker + " not published", e.getCause());
        }
        long deadline = ackedAt + timeout.toNanos();
        while (true) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(5))) {
                if (marker.equals(r.value())) {
                    return System.nanoTime() - ackedAt;
                }
            }
            if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
                throw new IllegalStateException("marker " + marker + " not through the two-hop application ("
                        + streams.state() + ")");
            }
        }
    }

    private static void awaitRunning(KafkaStreams streams, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
                throw new IllegalStateException("the two-hop application did not start (" + streams.state() + ")");
            }
            pause(5);
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        return c;
    }

    /** Forwards every record and asks for a commit as the destination's processors do after an event or fact. */
    private static final class PacedForward implements Processor<String, String, String, String> {
        private final CommitPacer pacer;
        private ProcessorContext<String, String> context;

        PacedForward(long eventCommitMs) {
            this.pacer = new CommitPacer(eventCommitMs);
        }

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            pacer.init(context);
        }

        @Override
        public void process(Record<String, String> record) {
            context.forward(record);
            pacer.produced();
        }
    }
}
