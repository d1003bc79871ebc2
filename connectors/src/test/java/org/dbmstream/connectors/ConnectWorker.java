package org.dbmstream.connectors;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.cli.ConnectDistributed;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * A real Kafka Connect worker (distributed mode, exactly-once source support on) running in this JVM
 * against the test broker, built from connect-runtime's main jar only.
 */
final class ConnectWorker implements AutoCloseable {
    private final Connect<DistributedHerder> connect;

    private ConnectWorker(Connect<DistributedHerder> connect) {
        this.connect = connect;
    }

    /** Starts a worker of group {@code group}; workers of the same group share configs and offsets. */
    static ConnectWorker start(String bootstrap, String group) {
        return start(bootstrap, group, Map.of());
    }

    /** As {@link #start(String, String)}, with {@code extra} worker settings (security, ...) on top. */
    static ConnectWorker start(String bootstrap, String group, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", group);
        p.put("config.storage.topic", group + "-configs");
        p.put("offset.storage.topic", group + "-offsets");
        p.put("status.storage.topic", group + "-status");
        p.put("config.storage.replication.factor", "1");
        p.put("offset.storage.replication.factor", "1");
        p.put("status.storage.replication.factor", "1");
        p.put("key.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
        p.put("value.converter", Qcow2BitmapSourceConnector.BYTE_ARRAY_CONVERTER);
        p.put("listeners", "http://127.0.0.1:0");
        p.put("exactly.once.source.support", "enabled");
        p.put("offset.flush.interval.ms", "500");
        // a worker that left gives its tasks up at once (default: held up to 5 minutes)
        p.put("scheduled.rebalance.max.delay.ms", "0");
        p.put("plugin.discovery", "service_load");
        p.putAll(extra);
        return new ConnectWorker(new ConnectDistributed().startConnect(p));
    }

    Herder herder() {
        return connect.herder();
    }

    /** Creates (or replaces) connector {@code name}. */
    ConnectorInfo putConnector(String name, Map<String, String> config) throws Exception {
        FutureCallback<Herder.Created<ConnectorInfo>> cb = new FutureCallback<>();
        Map<String, String> named = new HashMap<>(config);
        named.put("name", name);
        herder().putConnectorConfig(name, named, true, cb);
        return cb.get(60, TimeUnit.SECONDS).result();
    }

    ConfigInfos validate(String name, Map<String, String> config) throws Exception {
        FutureCallback<ConfigInfos> cb = new FutureCallback<>();
        Map<String, String> named = new HashMap<>(config);
        named.put("name", name);
        herder().validateConnectorConfig(named, cb);
        return cb.get(60, TimeUnit.SECONDS);
    }

    /** The connector's status, or null while the worker does not know it yet. */
    ConnectorStateInfo status(String name) {
        try {
            return herder().connectorStatus(name);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Waits until the connector and {@code tasks} tasks run. */
    void awaitRunning(String name, int tasks, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ConnectorStateInfo s = null;
        while (System.nanoTime() < deadline) {
            s = status(name);
            if (s != null && "RUNNING".equals(s.connector().state()) && s.tasks().size() == tasks
                    && s.tasks().stream().allMatch(t -> "RUNNING".equals(t.state()))) {
                return;
            }
            if (s != null && s.tasks().stream().anyMatch(t -> "FAILED".equals(t.state()))) {
                throw new AssertionError("task failed: " + s.tasks().get(0).trace());
            }
            Thread.sleep(200);
        }
        throw new AssertionError("connector " + name + " not running after " + timeout + ": " + s);
    }

    @Override
    public void close() {
        connect.stop();
        connect.awaitStop();
    }
}
