package org.dbmstream.connectors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.dbmstream.nbd.NbdException;
import org.dbmstream.nbd.NbdTls;
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
    public static final String TLS_CREDS_DIR = "nbd.tls.creds.dir";
    public static final String TLS_CA = "nbd.tls.ca";
    public static final String TLS_CERT = "nbd.tls.cert";
    public static final String TLS_KEY = "nbd.tls.key";
    public static final String TLS_HOSTNAME = "nbd.tls.hostname";
    /** Set by the connector for each task (never by users). */
    public static final String TASK_URIS = "task.nbd.uris";

    public static final ConfigDef CONFIG_DEF = SyncMode.define(ChunkSizeSetting.define(new ConfigDef()))
            .define(URIS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new Uris(), Importance.HIGH,
                    "NBD exports with their bitmaps: nbd://HOST:PORT/EXPORT?bitmap=NAME&granularity=64K or "
                            + "nbd+unix:///EXPORT?socket=PATH&bitmap=NAME; nbds:// and nbds+unix:// require TLS "
                            + "(comma-separated; see the main README).")
            .define(GRANULARITY, Type.STRING, "", Importance.MEDIUM,
                    "Granularity of bitmaps whose URI has no granularity= (NBD does not carry it).")
            .define(ENABLED, Type.BOOLEAN, false, Importance.LOW,
                    "Bitmaps are sent as enabled unless their URI says enabled=false.")
            .define(PERSISTENT, Type.BOOLEAN, false, Importance.LOW,
                    "Bitmaps are sent as persistent unless their URI says persistent=false.")
            .define(TIMEOUT, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How long to wait for an NBD server on each exchange.")
            .define(TLS_CREDS_DIR, Type.STRING, "", new ExistingPath(true), Importance.MEDIUM,
                    "TLS credentials for nbds:// URIs in qemu's tls-creds-x509 layout: ca-cert.pem, and client-cert.pem"
                            + " with client-key.pem for servers with verify-peer=on.")
            .define(TLS_CA, Type.STRING, "", new ExistingPath(false), Importance.MEDIUM,
                    "CA certificate (PEM) of nbds:// servers; default: ca-cert.pem of " + TLS_CREDS_DIR
                            + ", else the JVM's trusted CAs.")
            .define(TLS_CERT, Type.STRING, "", new ExistingPath(false), Importance.LOW,
                    "Client certificate (PEM) for servers that verify clients; needs " + TLS_KEY + ".")
            .define(TLS_KEY, Type.STRING, "", new ExistingPath(false), Importance.LOW,
                    "Private key of " + TLS_CERT + " (PEM: PKCS#8, or PKCS#1 RSA; unencrypted).")
            .define(TLS_HOSTNAME, Type.STRING, "", Importance.LOW,
                    "Name the server certificates must carry; default: each URI's host (no check over Unix sockets).")
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

    private final NbdTls tls;

    private final boolean sync;

    public NbdBitmapSourceConnectorConfig(final Map<String, String> props) {
        super(CONFIG_DEF, props);
        tls = tlsOf(this);
        sync = SyncMode.on(this, pollInterval() > 0, POLL_INTERVAL);
    }

    /** Whether each read is a sync round (DESIGN.md section 12) rather than a new migration. */
    public boolean syncMode() {
        return sync;
    }

    /** The nbd.tls.* settings (files one by one win over the directory), checked against the URIs. */
    private static NbdTls tlsOf(final AbstractConfig c) {
        final String dir = c.getString(TLS_CREDS_DIR);
        final String ca = c.getString(TLS_CA);
        final String cert = c.getString(TLS_CERT);
        final String key = c.getString(TLS_KEY);
        final String host = c.getString(TLS_HOSTNAME);
        if (dir.isBlank() && ca.isBlank() && cert.isBlank() && key.isBlank() && host.isBlank()) {
            return NbdTls.DEFAULTS;
        }
        if (cert.isBlank() != key.isBlank()) {
            throw new ConfigException(cert.isBlank() ? TLS_KEY : TLS_CERT, cert.isBlank() ? key : cert,
                    TLS_CERT + " and " + TLS_KEY + " go together");
        }
        for (final String u : c.getList(URIS)) {
            if (!u.isBlank() && !NbdUri.parse(u.trim()).tls()) {
                throw new ConfigException(URIS, u, "the nbd.tls.* settings need TLS URIs (nbds:// or nbds+unix://); "
                        + "this one would connect without TLS");
            }
        }
        final NbdTls given = new NbdTls(path(ca), path(cert), path(key), host.isBlank() ? null : host);
        try {
            return dir.isBlank() ? given : given.orElse(NbdTls.fromDirectory(Path.of(dir)));
        } catch (NbdException e) {
            throw new ConfigException(TLS_CREDS_DIR, dir, e.getMessage());
        }
    }

    private static Path path(final String s) {
        return s.isBlank() ? null : Path.of(s);
    }

    /** TLS credentials for nbds:// URIs. */
    public NbdTls tls() {
        return tls;
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

    /** Bitmap bytes per BITS chunk ({@link ChunkSizeSetting}). */
    public org.dbmstream.bitmap.chunk.ChunkSize chunkSize() {
        return ChunkSizeSetting.of(this);
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

    /** Empty, or a file (or directory) that exists. */
    static final class ExistingPath implements ConfigDef.Validator {
        private final boolean directory;

        ExistingPath(final boolean directory) {
            this.directory = directory;
        }

        @Override
        public void ensureValid(final String name, final Object value) {
            final String s = (String) value;
            if (s == null || s.isBlank()) {
                return;
            }
            final Path p = Path.of(s);
            if (directory ? !Files.isDirectory(p) : !Files.isRegularFile(p)) {
                throw new ConfigException(name, value, (directory ? "no such directory" : "no such file")
                        + " on this worker");
            }
            if (!directory && !Files.isReadable(p)) {
                throw new ConfigException(name, value, "not readable by the worker's user");
            }
        }

        @Override
        public String toString() {
            return directory ? "an existing directory" : "an existing file";
        }
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
