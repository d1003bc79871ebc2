package org.dbmstream.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.RaftVoterEndpoint;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka cluster of standalone KRaft nodes, each a process of its own and each broker and controller at
 * once (Strimzi's node pools with roles {@code [controller, broker]}): a dynamic quorum of all nodes
 * (KIP-853, formatted with {@code --initial-controllers}), every topic with replication factor 3 and
 * {@code min.insync.replicas=2}, unclean leader election off ({@link ServerProperties#clusterNode}).
 * Nodes can be SIGKILLed and restarted one at a time (the others keep a quorum and an in-sync replica of
 * every partition), and one can be lost for good and {@linkplain #replace replaced} the way an operator
 * would with the Admin API: a new node joins the quorum in the dead one's place and every partition that
 * had a replica on the dead node is reassigned to it.
 */
public final class StandaloneKafkaCluster implements KafkaBroker {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneKafkaCluster.class);
    private static final Duration SETTLE = Duration.ofMinutes(3);
    private static final int CLOSE_GRACE_S = 20;

    private final Path dir;
    private final Map<String, String> overrides;
    private final String clusterId = Uuid.randomUuid().toString();
    /** Nodes by id, in id order; a replaced node is removed. */
    private final Map<Integer, StandaloneKafkaBroker> nodes = new LinkedHashMap<>();
    private final Map<Integer, Uuid> directoryIds = new HashMap<>();

    /** What {@link #replace} did: the dead node, the node that took its place, and the partitions moved. */
    public record Replacement(int lostNode, int newNode, int partitionsReassigned, double seconds) {
    }

    /**
     * Formats {@code size} nodes under {@code dir} (node-1, node-2, ...) on free ports; {@link #start()} runs them.
     *
     * @param overrides settings that replace the defaults on every node
     */
    public StandaloneKafkaCluster(Path dir, int size, Map<String, String> overrides) {
        if (size < 3) {
            throw new IllegalArgumentException("a cluster that survives the loss of a node needs 3 nodes, not " + size);
        }
        this.dir = dir;
        this.overrides = Map.copyOf(overrides);
        List<int[]> ports = new ArrayList<>();
        List<String> voters = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            int[] p = FreePorts.pick(EmbeddedKafkaBroker.HOST, 2);
            ports.add(p);
            Uuid directory = Uuid.randomUuid();
            directoryIds.put(id, directory);
            voters.add(id + "@" + EmbeddedKafkaBroker.HOST + ":" + p[1] + ":" + directory);
        }
        String quorum = ports.stream().map(p -> EmbeddedKafkaBroker.HOST + ":" + p[1]).collect(Collectors.joining(","));
        for (int id = 1; id <= size; id++) {
            StandaloneKafkaBroker node = node(id, ports.get(id - 1), quorum);
            EmbeddedKafkaBroker.formatStorage(node.propsFile(), clusterId, "--initial-controllers",
                    String.join(",", voters));
            nodes.put(id, node);
        }
    }

    private StandaloneKafkaBroker node(int id, int[] ports, String quorum) {
        Path nodeDir = dir.resolve("node-" + id);
        return new StandaloneKafkaBroker(id, nodeDir, ports, p -> ServerProperties.clusterNode(id,
                EmbeddedKafkaBroker.HOST, p[0], p[1], nodeDir.resolve("logs"), quorum, overrides));
    }

    /** Starts every node and waits until each is an unfenced broker. */
    public synchronized StandaloneKafkaCluster start() {
        nodes.values().forEach(StandaloneKafkaBroker::launch);
        nodes.values().forEach(StandaloneKafkaBroker::awaitReady);
        LOG.info("Kafka cluster of {} nodes at {}", nodes.size(), bootstrapServers());
        return this;
    }

    /** The brokers of the cluster as a {@code bootstrap.servers} list (every node, running or not, but not lost ones). */
    @Override
    public synchronized String bootstrapServers() {
        return nodes.values().stream().map(StandaloneKafkaBroker::bootstrapServers).collect(Collectors.joining(","));
    }

    /** Ids of the nodes (not the lost ones), in order. */
    public synchronized List<Integer> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    /** The node {@code id}. */
    public synchronized StandaloneKafkaBroker node(int id) {
        StandaloneKafkaBroker n = nodes.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no node " + id + " in the cluster (nodes " + nodes.keySet() + ")");
        }
        return n;
    }

    /** The node that leads the metadata quorum (the active controller) now. */
    public int activeController() {
        try (Admin admin = Admin.create(adminConfig())) {
            return admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the metadata quorum: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Waits until every partition of every topic (internal ones included) has all its replicas in sync and no
     * reassignment is running: the state in which one more node may go down without a partition falling
     * below {@code min.insync.replicas}.
     *
     * @return false when that did not happen within {@code timeout}
     */
    public boolean awaitFullyReplicated(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(adminConfig())) {
            while (System.nanoTime() < deadline) {
                try {
                    if (admin.listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS).isEmpty()
                            && underReplicated(admin).isEmpty()) {
                        return true;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debug("cluster not settled yet: {}", e.toString());
                }
                Thread.sleep(250);
            }
        }
        return false;
    }

    /** Partitions whose in-sync replicas are fewer than their replicas. */
    private static List<TopicPartition> underReplicated(Admin admin)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<TopicPartition> out = new ArrayList<>();
        for (TopicDescription d : describeAll(admin).values()) {
            for (TopicPartitionInfo p : d.partitions()) {
                if (p.isr().size() < p.replicas().size() || p.leader() == null || p.leader().isEmpty()) {
                    out.add(new TopicPartition(d.name(), p.partition()));
                }
            }
        }
        return out;
    }

    /** Every topic, internal ones included, described. */
    public Map<String, TopicDescription> describeTopics() {
        try (Admin admin = Admin.create(adminConfig())) {
            return describeAll(admin);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Map<String, TopicDescription> describeAll(Admin admin)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(10, TimeUnit.SECONDS);
        return admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
    }

    /**
     * Replaces node {@code lost}, which must be down for good (SIGKILLed and never started again), the way an
     * operator replaces a failed server of a dynamic quorum: a new node with a new id is formatted without
     * initial controllers and started (it joins as an observer), added as a voter, the lost node removed as a
     * voter and unregistered as a broker, and every partition with a replica on the lost node reassigned to
     * the new one (same position in the replica list, so preferred leaders stay spread). Returns once the
     * reassignments are done and every replica is in sync again.
     */
    public synchronized Replacement replace(int lost) throws InterruptedException {
        StandaloneKafkaBroker dead = node(lost);
        if (dead.isAlive()) {
            throw new IllegalStateException("node " + lost + " still runs; a replaced node must be gone for good");
        }
        long t0 = System.nanoTime();
        int id = nodes.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        nodes.remove(lost);
        String quorum = nodes.values().stream().map(StandaloneKafkaBroker::controllerEndpoint)
                .collect(Collectors.joining(","));
        int[] ports = FreePorts.pick(EmbeddedKafkaBroker.HOST, 2);
        StandaloneKafkaBroker fresh = node(id, ports, quorum);
        EmbeddedKafkaBroker.formatStorage(fresh.propsFile(), clusterId, "--no-initial-controllers");
        Uuid directory = directoryId(fresh);
        directoryIds.put(id, directory);
        nodes.put(id, fresh);
        fresh.start();
        int moved;
        try (Admin controllers = Admin.create(controllerAdminConfig()); Admin admin = Admin.create(adminConfig())) {
            // each step checks first whether an earlier attempt went through (a timeout says nothing about that)
            retrying(() -> isVoter(controllers, id) ? null : controllers.addRaftVoter(id, directory, Set.of(
                    new RaftVoterEndpoint(ServerProperties.CONTROLLER_LISTENER, EmbeddedKafkaBroker.HOST, ports[1])))
                    .all().get(30, TimeUnit.SECONDS), "add node " + id + " as a voter");
            retrying(() -> !isVoter(controllers, lost) ? null : controllers.removeRaftVoter(lost,
                    directoryIds.get(lost)).all().get(30, TimeUnit.SECONDS), "remove node " + lost + " as a voter");
            moved = reassign(admin, lost, id);
            retrying(() -> unregister(admin, lost), "unregister broker " + lost);
        }
        if (!awaitFullyReplicated(SETTLE)) {
            throw new IllegalStateException("the partitions of node " + lost + " were reassigned to node " + id
                    + " but are not all in sync after " + SETTLE);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        LOG.info("node {} replaced by node {}: {} partitions reassigned in {} s", lost, id, moved, seconds);
        return new Replacement(lost, id, moved, seconds);
    }

    private static Object unregister(Admin admin, int broker)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return admin.unregisterBroker(broker).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BrokerIdNotRegisteredException) {
                return null; // an earlier attempt went through
            }
            throw e;
        }
    }

    private static boolean isVoter(Admin controllers, int id)
            throws InterruptedException, ExecutionException, TimeoutException {
        return controllers.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).voters().stream()
                .anyMatch(v -> v.replicaId() == id);
    }

    /** Moves every replica on {@code from} to {@code to}; returns how many partitions changed. */
    private static int reassign(Admin admin, int from, int to) throws InterruptedException {
        Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new HashMap<>();
        retrying(() -> {
            moves.clear();
            for (TopicDescription d : describeAll(admin).values()) {
                for (TopicPartitionInfo p : d.partitions()) {
                    List<Integer> replicas = p.replicas().stream().map(Node::id).toList();
                    if (replicas.contains(from)) {
                        List<Integer> target = replicas.stream().map(r -> r == from ? to : r).toList();
                        moves.put(new TopicPartition(d.name(), p.partition()),
                                Optional.of(new NewPartitionReassignment(target)));
                    }
                }
            }
            if (!moves.isEmpty()) {
                admin.alterPartitionReassignments(moves).all().get(60, TimeUnit.SECONDS);
            }
            return null;
        }, "reassign the partitions of node " + from + " to node " + to);
        return moves.size();
    }

    /** The directory id the storage tool gave the new node's metadata directory ({@code meta.properties}). */
    private static Uuid directoryId(StandaloneKafkaBroker node) {
        Path meta = node.dataDir().resolve("logs").resolve("meta.properties");
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + meta, e);
        }
        return Uuid.fromString(p.getProperty("directory.id"));
    }

    /** An admin call that the quorum may refuse for a moment (a leader election, a voter change still committing). */
    private interface AdminCall {
        Object call() throws InterruptedException, ExecutionException, TimeoutException;
    }

    private static void retrying(AdminCall call, String what) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            try {
                call.call();
                return;
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot " + what + ": " + e.getMessage(), e);
                }
                LOG.info("{} failed ({}); trying again", what, e.toString());
                Thread.sleep(1000);
            }
        }
    }

    private Map<String, Object> adminConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000);
    }

    /** Voter changes go to the controllers themselves ({@code kafka-metadata-quorum --bootstrap-controller}). */
    private synchronized Map<String, Object> controllerAdminConfig() {
        String controllers = nodes.values().stream().map(StandaloneKafkaBroker::controllerEndpoint)
                .collect(Collectors.joining(","));
        return Map.of(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, controllers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000);
    }

    /**
     * Stops every node: SIGTERM to all at once (one by one, the last ones would wait for a quorum that is
     * gone), SIGKILL to those still running after {@value #CLOSE_GRACE_S} s.
     */
    @Override
    public synchronized void close() {
        nodes.values().forEach(StandaloneKafkaBroker::terminate);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_GRACE_S);
        for (StandaloneKafkaBroker node : nodes.values()) {
            node.awaitExit(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }
}
