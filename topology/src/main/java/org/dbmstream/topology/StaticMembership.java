package org.dbmstream.topology;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The destination's default {@code group.instance.id}: a destination restarted on its state directory
 * takes its tasks back at once instead of waiting out the consumer-group session timeout (45 s by default)
 * of the member it was before (Kafka Streams does not leave the group on close). The id names the host and
 * a digest of the application id and the state directory, so it is stable across restarts of one instance
 * and differs between instances (two instances never share a state directory: Kafka Streams locks it).
 * A configured {@code group.instance.id} wins; {@value #PROPERTY}{@code =false} turns the default off.
 */
final class StaticMembership {
    /** Whether to derive a {@code group.instance.id} when none is configured (property name; default true). */
    static final String PROPERTY = "dbm.static.membership";

    private StaticMembership() {
    }

    /** Adds the default id to {@code p} unless one is configured there or {@code extra} turns it off. */
    static void apply(Properties p, DestinationConfig config) {
        if (!enabled(config.extra()) || p.containsKey(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)
                || p.containsKey(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))
                || p.containsKey(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))) {
            return;
        }
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), defaultId(config));
    }

    static boolean enabled(Map<String, String> extra) {
        String v = extra.get(PROPERTY);
        if (v == null) {
            return true;
        }
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (!t.equals("true") && !t.equals("false")) {
            throw new IllegalArgumentException(PROPERTY + " must be true or false: " + v);
        }
        return t.equals("true");
    }

    /** {@code dbm-HOST-DIGEST}: this host, and 12 hex digits of the application id and the state directory. */
    static String defaultId(DestinationConfig config) {
        String where = config.applicationId() + "\0" + config.stateDir().toAbsolutePath().normalize();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(where.getBytes(StandardCharsets.UTF_8));
            return "dbm-" + host() + "-" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env != null && !env.isBlank() ? env : "localhost";
        }
    }
}
