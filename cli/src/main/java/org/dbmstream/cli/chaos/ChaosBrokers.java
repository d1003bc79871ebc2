package org.dbmstream.cli.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.dbmstream.broker.StandaloneKafkaBroker;
import org.dbmstream.broker.StandaloneKafkaCluster;

/**
 * The Kafka side of a chaos run and its faults: one standalone broker, restarted once (SIGTERM), or a
 * cluster of KRaft nodes in their own processes ({@link StandaloneKafkaCluster}), whose nodes are SIGKILLed
 * and restarted one at a time (the first time the active controller, so that the quorum elects another
 * leader), and one of which is lost for good and replaced as an operator would (new node, voter change,
 * partition reassignment). Before each node fault the cluster is back to every replica in sync, so that no
 * fault ever takes a partition below {@code min.insync.replicas}: faults come one at a time.
 */
final class ChaosBrokers implements AutoCloseable {
    /** Replication a cluster's topics must have, and the in-sync replicas an acks=all write needs. */
    static final int CLUSTER_REPLICATION = 3;
    static final int CLUSTER_MIN_INSYNC = 2;
    private static final Duration SETTLE = Duration.ofMinutes(3);

    private final StandaloneKafkaBroker single;
    private final StandaloneKafkaCluster cluster;
    private final Consumer<String> progress;
    private int restarts;
    private int kills;
    private int controllerKills;
    private final List<StandaloneKafkaCluster.Replacement> replacements = new ArrayList<>();

    /** What the brokers went through, and what the topics look like at the end. */
    record Figures(int brokers, int restarts, int kills, int controllerKills, int replaced, int partitionsReassigned,
            int topics, int topicsBelowPolicy) {
    }

    private ChaosBrokers(StandaloneKafkaBroker single, StandaloneKafkaCluster cluster, Consumer<String> progress) {
        this.single = single;
        this.cluster = cluster;
        this.progress = progress;
    }

    /** Starts {@code brokers} nodes under {@code dir}: 1 is a single broker, 3 or more a cluster. */
    static ChaosBrokers start(int brokers, Path dir, Consumer<String> progress) {
        if (brokers == 1) {
            return new ChaosBrokers(new StandaloneKafkaBroker(dir.resolve("broker"), Map.of()).start(), null, progress);
        }
        return new ChaosBrokers(null, new StandaloneKafkaCluster(dir.resolve("brokers"), brokers, Map.of()).start(),
                progress);
    }

    boolean isCluster() {
        return cluster != null;
    }

    /** The bootstrap list: every broker, for clients that must survive the loss of any one. */
    String bootstrap() {
        return cluster != null ? cluster.bootstrapServers() : single.bootstrapServers();
    }

    /**
     * One broker fault: the single broker restarted (SIGTERM, controlled), or a cluster node SIGKILLed, left
     * down a moment while the rest keeps working, started again, and waited for until every replica is back
     * in sync.
     */
    void fault(Random random) throws InterruptedException {
        if (cluster == null) {
            long r0 = System.nanoTime();
            single.restart();
            restarts++;
            progress.accept(String.format("restarted the broker in %.1f s", (System.nanoTime() - r0) / 1e9));
            return;
        }
        settle();
        int controller = cluster.activeController();
        List<Integer> ids = cluster.nodeIds();
        int victim = controllerKills == 0 ? controller : ids.get(random.nextInt(ids.size()));
        cluster.node(victim).kill();
        kills++;
        if (victim == controller) {
            controllerKills++;
        }
        long down = 1000 + random.nextInt(4000);
        progress.accept(String.format("SIGKILLed broker node %d%s; starting it again in %.1f s", victim,
                victim == controller ? " (the active controller)" : "", down / 1e3));
        Thread.sleep(down);
        long r0 = System.nanoTime();
        cluster.node(victim).start();
        progress.accept(String.format("broker node %d back in %.1f s", victim, (System.nanoTime() - r0) / 1e9));
    }

    /** A cluster node SIGKILLed and never started again; another node takes its place (Admin API). */
    void loseOne(Random random) throws InterruptedException {
        settle();
        List<Integer> ids = cluster.nodeIds();
        int victim = ids.get(random.nextInt(ids.size()));
        cluster.node(victim).kill();
        kills++;
        progress.accept("SIGKILLed broker node " + victim + " for good; the cluster runs on two nodes meanwhile");
        Thread.sleep(2000 + random.nextInt(3000));
        StandaloneKafkaCluster.Replacement r = cluster.replace(victim);
        replacements.add(r);
        progress.accept(String.format("node %d replaced by node %d: %d partitions reassigned, in sync after %.1f s",
                r.lostNode(), r.newNode(), r.partitionsReassigned(), r.seconds()));
    }

    /** Waits until every replica is in sync again, so that the next fault is the only one. */
    private void settle() throws InterruptedException {
        long t0 = System.nanoTime();
        if (!cluster.awaitFullyReplicated(SETTLE)) {
            progress.accept("WARNING: the cluster still has partitions out of sync after " + SETTLE);
        } else if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(1)) {
            progress.accept(String.format("every replica in sync again after %.1f s", (System.nanoTime() - t0) / 1e9));
        }
    }

    /**
     * The figures, with every topic checked (internal ones too: Kafka Streams' changelogs and repartition
     * topics, {@code __consumer_offsets}, {@code __transaction_state}): on a cluster each must have
     * {@value #CLUSTER_REPLICATION} replicas and {@code min.insync.replicas} at least
     * {@value #CLUSTER_MIN_INSYNC}; {@code topicsBelowPolicy} counts those that do not (each is reported).
     */
    Figures figures() throws InterruptedException {
        int topics = 0;
        int below = 0;
        if (cluster != null) {
            settle();
            Map<String, TopicDescription> all = cluster.describeTopics();
            Map<String, Integer> minIsr = minInsync(all.keySet());
            topics = all.size();
            for (TopicDescription d : all.values()) {
                int replicas = d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
                int isr = minIsr.getOrDefault(d.name(), 0);
                if (replicas < CLUSTER_REPLICATION || isr < CLUSTER_MIN_INSYNC) {
                    below++;
                    progress.accept("topic " + d.name() + " has " + replicas + " replicas and min.insync.replicas="
                            + isr);
                }
            }
        }
        return new Figures(cluster != null ? cluster.nodeIds().size() : 1, restarts, kills, controllerKills,
                replacements.size(), replacements.stream().mapToInt(StandaloneKafkaCluster.Replacement::partitionsReassigned)
                        .sum(), topics, below);
    }

    private Map<String, Integer> minInsync(Set<String> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            List<ConfigResource> resources = topics.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(60, TimeUnit.SECONDS);
            Map<String, Integer> out = new java.util.HashMap<>();
            configs.forEach((r, c) -> out.put(r.name(), Integer.parseInt(c.get("min.insync.replicas").value())));
            return out;
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the topics' configs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        progress.accept(cluster != null ? "stopping the broker processes" : "stopping the broker");
        if (cluster != null) {
            cluster.close();
        } else {
            single.close();
        }
    }
}
