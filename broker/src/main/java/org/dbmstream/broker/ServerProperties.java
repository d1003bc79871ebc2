package org.dbmstream.broker;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The server.properties of KRaft nodes that are broker and controller at once ("combined"): a single
 * node ({@link #of}), where every internal topic has replication factor 1, or one node of a cluster
 * ({@link #clusterNode}), where every topic, internal ones included, has replication factor 3 and needs
 * 2 in-sync replicas. Sizes that default to production values are cut down, so that nodes start fast
 * and stay small on a machine shared with the application and its tests.
 */
final class ServerProperties {

    static final int NODE_ID = 1;
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Replication factor of every topic of a cluster (the production value, DESIGN.md section 6). */
    static final int CLUSTER_REPLICATION = 3;
    /** In-sync replicas an {@code acks=all} write needs on a cluster: one broker may be down. */
    static final int CLUSTER_MIN_INSYNC = 2;

    private ServerProperties() {
    }

    static Properties of(String host, int brokerPort, int controllerPort, Path logDir, Map<String, String> overrides) {
        // dynamic quorum (KIP-853): formatted with --standalone, this node is the only voter
        Properties p = node(NODE_ID, host, brokerPort, controllerPort, logDir, host + ":" + controllerPort);
        replication(p, 1, 1);
        p.putAll(overrides);
        return p;
    }

    /**
     * One node of a cluster whose controllers are reached through {@code quorumBootstrap}
     * ({@code host:port,...} of the controller listeners; the voters themselves are written into the
     * metadata log when the storage is formatted with {@code --initial-controllers}).
     */
    static Properties clusterNode(int nodeId, String host, int brokerPort, int controllerPort, Path logDir,
            String quorumBootstrap, Map<String, String> overrides) {
        Properties p = node(nodeId, host, brokerPort, controllerPort, logDir, quorumBootstrap);
        replication(p, CLUSTER_REPLICATION, CLUSTER_MIN_INSYNC);
        // voters tell each other where they are (KIP-853's dynamic quorum)
        p.put("advertised.listeners", p.getProperty("advertised.listeners") + "," + CONTROLLER_LISTENER + "://" + host
                + ":" + controllerPort);
        // never elect a replica that missed acknowledged writes: a partition waits for an in-sync one instead
        p.put("unclean.leader.election.enable", "false");
        // a SIGKILLed node is fenced (and its leaderships moved) after this long without heartbeats;
        // Kafka's 9 s default would only make every fault of a chaos run longer
        p.put("broker.session.timeout.ms", "6000");
        p.put("broker.heartbeat.interval.ms", "1000");
        p.putAll(overrides);
        return p;
    }

    private static Properties node(int nodeId, String host, int brokerPort, int controllerPort, Path logDir,
            String quorumBootstrap) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + host + ":"
                + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.quorum.bootstrap.servers", quorumBootstrap);
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("group.initial.rebalance.delay.ms", "0");

        // fewer threads and buffers than a production broker: 2 cores and one heap are shared
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("background.threads", "2");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8L * 1024 * 1024));
        p.put("log.cleaner.backoff.ms", "1000");
        p.put("controlled.shutdown.enable", "true");
        return p;
    }

    /** The replication of every topic, the internal ones ({@code __consumer_offsets}, {@code __transaction_state}) too. */
    private static void replication(Properties p, int factor, int minInsync) {
        p.put("default.replication.factor", String.valueOf(factor));
        p.put("min.insync.replicas", String.valueOf(minInsync));
        p.put("offsets.topic.replication.factor", String.valueOf(factor));
        p.put("transaction.state.log.replication.factor", String.valueOf(factor));
        p.put("transaction.state.log.min.isr", String.valueOf(minInsync));
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(factor));
        p.put("share.coordinator.state.topic.min.isr", String.valueOf(minInsync));
    }
}
