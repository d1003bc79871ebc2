package org.dbmstream.connectors;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.sync.SyncSession;

/**
 * The connectors' publishing mode (DESIGN.md section 12). {@code sync}, the default when the connector looks
 * again ({@code images.rescan.interval.ms}, {@code poll.interval.ms}): each look is a round of {@code dbm sync}
 * per image or export, a changed one publishes a delta of its changed chunks, never an "already exists"
 * failure; the task follows the destination's events and remembers versions on the sync topic with its own
 * Kafka clients ({@code kafka.bootstrap.servers}, and any client setting prefixed {@code kafka.}).
 * {@code migrate}, the default for a single publication: one migration per new content, through the worker's
 * producer with source offsets (exactly-once capable).
 */
final class SyncMode {
    static final String MODE = "publish.mode";
    static final String BOOTSTRAP = "kafka.bootstrap.servers";
    static final String CLIENT_PREFIX = "kafka.";
    static final String PRUNE = "sync.prune";
    static final String ROUND_TIMEOUT = "sync.round.timeout.ms";

    private SyncMode() {
    }

    /** Adds the mode's settings to a connector's definition. */
    static ConfigDef define(ConfigDef def) {
        return def.define(MODE, Type.STRING, "", ConfigDef.ValidString.in("", "sync", "migrate"), Importance.HIGH,
                        "'sync': every look is a round of dbm sync (deltas of what changed, removals of what is gone);"
                                + " 'migrate': one migration per new content ('already exists' when a name is taken);"
                                + " empty: sync when the connector looks again, migrate when it publishes once.")
                .define(BOOTSTRAP, Type.STRING, "", Importance.HIGH,
                        "Sync mode: the Kafka cluster of the topics (the task reads the destination's events and "
                                + "the sync topic with its own clients); other client settings: prefix 'kafka.'.")
                .define(PRUNE, Type.BOOLEAN, true, Importance.MEDIUM,
                        "Sync mode: remove replica bitmaps of an image or export that no longer has them.")
                .define(ROUND_TIMEOUT, Type.LONG, 600_000L, ConfigDef.Range.atLeast(1000), Importance.LOW,
                        "Sync mode: how long a round waits for the destination.");
    }

    /** Whether {@code config} asks for sync mode ({@code looksAgain}: the connector has a rescan/poll interval). */
    static boolean on(AbstractConfig config, boolean looksAgain, String intervalSetting) {
        String mode = config.getString(MODE).toLowerCase(Locale.ROOT);
        boolean sync = mode.equals("sync") || mode.isEmpty() && looksAgain;
        if (sync && config.getString(BOOTSTRAP).isBlank()) {
            throw new ConfigException(BOOTSTRAP, "", "sync mode" + (mode.isEmpty() ? " (the default with "
                    + intervalSetting + ")" : "") + " needs the Kafka cluster the task reads the destination's events "
                    + "from; or set " + MODE + "=migrate for one migration per new content");
        }
        return sync;
    }

    /** A sync session of the connector's target, with the clients {@code props} configure. */
    static SyncSession open(AbstractConfig config, Map<String, String> props, String target, String topicPrefix,
            String sourceId, long rateLimit) {
        Map<String, String> clients = new HashMap<>();
        // serde settings (schema registry ...) as the connector has them, client settings without their prefix
        props.forEach((k, v) -> {
            if (!k.startsWith(CLIENT_PREFIX)) {
                clients.put(k, v);
            }
        });
        props.forEach((k, v) -> {
            if (k.startsWith(CLIENT_PREFIX) && !k.equals(BOOTSTRAP)) {
                clients.put(k.substring(CLIENT_PREFIX.length()), v);
            }
        });
        return SyncSession.open(new SyncSession.Settings(config.getString(BOOTSTRAP), new Topics(topicPrefix), clients,
                target, sourceId, Duration.ofMillis(config.getLong(ROUND_TIMEOUT)), config.getBoolean(PRUNE),
                rateLimit));
    }
}
