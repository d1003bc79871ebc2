package org.dbmstream.connectors;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.dbmstream.nbd.NbdUri;

/**
 * Configuration of {@link NbdBitmapSourceConnector}: which NBD exports to read live bitmaps from, how
 * often, and where to publish them. The common settings mean what they mean for the qcow2 connector.
 */
public final class NbdBitmapSourceConnectorConfig extends AbstractConfig {
    public static final String URIS = "nbd.uris";
    public static final String GRANULARITY = "nbd.granularity";
    public static final String ENABLED = "nbd.enabled";
    public static final String PERSISTENT = "nbd.persistent";
    public static final String TIMEOUT = "nbd.timeout.ms";
    public static final String POLL_INTERVAL = "poll.interval.ms";
    /** Set by the connector for each task (never by users). */
    public static final String TASK_URIS = "task.nbd.uris";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(URIS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new Uris(), Importance.HIGH,
                    "NBD exports with their bitmaps: nbd://HOST:PORT/EXPORT?bitmap=NAME&granularity=64K or "
                            + "nbd+unix:///EXPORT?socket=PATH&bitmap=NAME (comma-separated; see the main README).")
            .define(GRANULARITY, Type.STRING, "", Importance.MEDIUM,
                    "Granularity of bitmaps whose URI has no granularity= (NBD does not carry it).")
            .define(ENABLED, Type.BOOLEAN, false, Importance.LOW,
                    "Bitmaps are sent as enabled unless their URI says enabled=false.")
            .define(PERSISTENT, Type.BOOLEAN, false, Importance.LOW,
                    "Bitmaps are sent as persistent unless their URI says persistent=false.")
            .define(TIMEOUT, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How long to wait for an NBD server on each exchange.")
            .define(POLL_INTERVAL, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Read every export again this often and publish its bitmaps as a new migration when they"
                            + " changed; 0: once per task start (restart the connector to ask again).")
            .define(Qcow2BitmapSourceConnectorConfig.TARGET, Type.STRING, "default",
                    new Qcow2BitmapSourceConnectorConfig.NonBlank(), Importance.HIGH,
                    "Destination namespace (VM or host) the bitmaps land on.")
            .define(Qcow2BitmapSourceConnectorConfig.MIGRATION_PREFIX, Type.STRING, "connect-", Importance.MEDIUM,
                    "Prefix of the migration ids: prefix + node + '-' + a fingerprint of the bitmaps read.")
            .define(Qcow2BitmapSourceConnectorConfig.TOPIC_PREFIX, Type.STRING, "dbm.", Importance.MEDIUM,
                    "Common prefix of the dbm-stream topics.")
            .define(Qcow2BitmapSourceConnectorConfig.BATCH_RECORDS, Type.INT, 256, ConfigDef.Range.between(1, 100_000),
                    Importance.LOW, "Most records one poll returns.")
            .define(Qcow2BitmapSourceConnectorConfig.SOURCE_ID, Type.STRING, "", Importance.LOW,
                    "Source id carried by every chunk; empty: 'connect:' + the connector name.")
            .define(TASK_URIS, Type.LIST, List.of(), Importance.LOW, "Internal: the exports assigned to a task.");

    public NbdBitmapSourceConnectorConfig(final Map<String, String> props) {
        super(CONFIG_DEF, props);
    }

    public List<String> uris() {
        return getList(URIS);
    }

    public List<String> taskUris() {
        return getList(TASK_URIS);
    }

    public String granularity() {
        final String g = getString(GRANULARITY);
        return g.isBlank() ? null : g;
    }

    public boolean enabled() {
        return getBoolean(ENABLED);
    }

    public boolean persistent() {
        return getBoolean(PERSISTENT);
    }

    public long timeoutMillis() {
        return getLong(TIMEOUT);
    }

    public long pollInterval() {
        return getLong(POLL_INTERVAL);
    }

    public String target() {
        return getString(Qcow2BitmapSourceConnectorConfig.TARGET);
    }

    public String migrationPrefix() {
        return getString(Qcow2BitmapSourceConnectorConfig.MIGRATION_PREFIX);
    }

    public String topicPrefix() {
        return getString(Qcow2BitmapSourceConnectorConfig.TOPIC_PREFIX);
    }

    public int batchRecords() {
        return getInt(Qcow2BitmapSourceConnectorConfig.BATCH_RECORDS);
    }

    public String sourceId(final String connectorName) {
        final String id = getString(Qcow2BitmapSourceConnectorConfig.SOURCE_ID);
        return id.isBlank() ? "connect:" + connectorName : id;
    }

    /** At least one URI, each a well-formed NBD URI. */
    static final class Uris implements ConfigDef.Validator {
        @Override
        public void ensureValid(final String name, final Object value) {
            @SuppressWarnings("unchecked")
            final List<String> uris = (List<String>) value;
            if (uris == null || uris.isEmpty() || uris.stream().allMatch(String::isBlank)) {
                throw new ConfigException(name, value, "at least one NBD URI is required");
            }
            for (final String u : uris) {
                try {
                    NbdUri.parse(u.trim());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, u, e.getMessage());
                }
            }
        }

        @Override
        public String toString() {
            return "NBD URIs";
        }
    }
}
