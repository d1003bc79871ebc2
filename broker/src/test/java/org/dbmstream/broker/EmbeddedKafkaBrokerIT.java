package org.dbmstream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The real in-process KRaft broker: topics, transactions with read_committed, and a clean close. */
class EmbeddedKafkaBrokerIT {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBrokerIT.class);
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedKafkaBroker().start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void createsTopicsWithTheRequestedPartitions() throws Exception {
        broker.createTopics(3, "it.three");
        broker.createTopic("it.compacted", 1, Map.of("cleanup.policy", "compact"));
        broker.createTopics(3, "it.three"); // already there: kept, no error

        try (Admin admin = Admin.create(broker.clientProperties())) {
            Map<String, TopicDescription> topics = admin.describeTopics(List.of("it.three", "it.compacted")).allTopicNames().get();
            assertThat(topics.get("it.three").partitions()).hasSize(3);
            assertThat(topics.get("it.three").partitions()).allSatisfy(p -> assertThat(p.replicas()).hasSize(1));
            String policy = admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "it.compacted")))
                    .all().get().values().iterator().next().get("cleanup.policy").value();
            assertThat(policy).isEqualTo("compact");
        }
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnly() {
        String topic = "it.tx";
        broker.createTopics(3, topic);
        try (KafkaProducer<String, String> producer = transactionalProducer("it-tx-1")) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(topic, i % 3, "k" + i, "committed-" + i));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, i % 3, "a" + i, "aborted-" + i));
            }
            producer.flush();
            producer.abortTransaction();
        }

        List<ConsumerRecord<String, String>> records = consumeAll(topic, 30);
        assertThat(records).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 30).mapToObj(i -> "committed-" + i).toList());
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);
    }

    @Test
    void closeStopsEveryBrokerThreadAndDeletesTheTempDir() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        long t0 = System.nanoTime();
        EmbeddedKafkaBroker second = new EmbeddedKafkaBroker().start();
        LOG.info("second broker started in {} ms", (System.nanoTime() - t0) / 1_000_000);
        Path dir = second.dataDir();
        assertThat(dir.resolve("logs").resolve("meta.properties")).exists();
        second.createTopics(1, "it.second");
        assertThat(second.bootstrapServers()).isNotEqualTo(broker.bootstrapServers());

        second.close();
        second.close(); // idempotent
        assertThat(second.isRunning()).isFalse();
        assertThat(dir).doesNotExist();
        assertThatThrownBy(second::bootstrapServers).isInstanceOf(IllegalStateException.class);
        assertThat(awaitNoNewThreads(before, Duration.ofSeconds(10))).isEmpty();
    }

    @Test
    void keepsAGivenDataDirAndRestartsOnIt(@TempDir Path tmp) {
        Path dir = tmp.resolve("kafka");
        try (EmbeddedKafkaBroker first = new EmbeddedKafkaBroker(dir, Map.of()).start()) {
            first.createTopics(2, "it.kept");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(first, null))) {
                producer.send(new ProducerRecord<>("it.kept", 0, "k", "survives restart"));
            }
        }
        assertThat(dir.resolve("logs").resolve("meta.properties")).exists();
        try (EmbeddedKafkaBroker again = new EmbeddedKafkaBroker(dir, Map.of()).start()) {
            List<ConsumerRecord<String, String>> records = consumeAll(again, "it.kept", 1);
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("survives restart");
        }
    }

    /** Threads started since {@code before} that are still alive after waiting up to {@code timeout}. */
    private static List<String> awaitNoNewThreads(Set<Thread> before, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive())
                    // JUnit/JVM housekeeping threads may appear at any time; the broker's all carry Kafka names
                    .filter(t -> !t.getName().startsWith("ForkJoinPool") && !t.getName().startsWith("Attach Listener"))
                    .map(Thread::getName)
                    .collect(Collectors.toList());
            if (left.isEmpty()) {
                return left;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return left;
    }

    private static KafkaProducer<String, String> transactionalProducer(String txId) {
        return new KafkaProducer<>(producerProps(broker, txId));
    }

    private static Properties producerProps(KafkaBroker to, String txId) {
        Properties p = to.clientProperties();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        if (txId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId);
        }
        return p;
    }

    private static List<ConsumerRecord<String, String>> consumeAll(String topic, int expected) {
        return consumeAll(broker, topic, expected);
    }

    private static List<ConsumerRecord<String, String>> consumeAll(KafkaBroker from, String topic, int expected) {
        Properties p = from.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // keep polling a little after reaching the count so that extra (e.g. aborted) records would show
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofMillis(500).toNanos();
                }
            }
        }
        return out;
    }
}
