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

/**
 * Configuration of {@link Qcow2BitmapSourceConnector}, validated with clear messages: which images to
 * publish, under which migration ids and target, to which topics, and how fast.
 */
public final class Qcow2BitmapSourceConnectorConfig extends AbstractConfig {
    public static final String IMAGES = "images";
    public static final String FILE_PATTERN = "images.pattern";
    public static final String TARGET = "target";
    public static final String MIGRATION_PREFIX = "migration.id.prefix";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String SOURCE_MAPPING = "source.mapping.file";
    public static final String DESTINATION_MAPPING = "destination.mapping.file";
    public static final String BATCH_RECORDS = "batch.max.records";
    public static final String RATE_LIMIT = "rate.limit.bytes.per.second";
    public static final String SOURCE_ID = "source.id";
    public static final String RESCAN_INTERVAL = "images.rescan.interval.ms";

    /** Set by the connector for each task: the images that task publishes (never by users). */
    public static final String TASK_IMAGES = "task.images";

    public static final ConfigDef CONFIG_DEF = SyncMode.define(ChunkSizeSetting.define(new ConfigDef()))
            .define(IMAGES, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new ExistingPaths(), Importance.HIGH,
                    "qcow2 images to publish, or directories holding them (comma-separated paths).")
            .define(FILE_PATTERN, Type.STRING, "*.qcow2", new NonBlank(), Importance.LOW,
                    "Glob of the file names taken from a directory listed in '" + IMAGES + "'.")
            .define(TARGET, Type.STRING, "default", new NonBlank(), Importance.HIGH,
                    "Destination namespace (VM or host) the bitmaps land on, written into each migration spec.")
            .define(MIGRATION_PREFIX, Type.STRING, "connect-", Importance.MEDIUM,
                    "Prefix of the migration ids; an id is prefix + node alias + '-' + a fingerprint of the image"
                            + " file (path, size, modification time), so a restarted worker resumes the same one.")
            .define(TOPIC_PREFIX, Type.STRING, "dbm.", Importance.MEDIUM,
                    "Common prefix of the dbm-stream topics (chunks, migrations, ...).")
            .define(SOURCE_MAPPING, Type.STRING, "", new OptionalFile(), Importance.MEDIUM,
                    "Source-side block-bitmap-mapping JSON file (as given to QEMU); empty: no mapping.")
            .define(DESTINATION_MAPPING, Type.STRING, "", new OptionalFile(), Importance.MEDIUM,
                    "Destination-side block-bitmap-mapping JSON file, written into each migration spec; empty: none.")
            .define(BATCH_RECORDS, Type.INT, 256, ConfigDef.Range.between(1, 100_000), Importance.LOW,
                    "Most records one poll returns.")
            .define(RATE_LIMIT, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "Publishing limit per task in bytes per second, like QEMU's max-bandwidth; 0: unlimited.")
            .define(RESCAN_INTERVAL, Type.LONG, 0L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                    "How often to look again for new images in the configured directories and for changed images"
                            + " (sync mode: a round of deltas; migrate mode: new migrations); 0: publish once.")
            .define(SOURCE_ID, Type.STRING, "", Importance.LOW,
                    "Source id carried by every chunk; empty: 'connect:' + the connector name.")
            .define(TASK_IMAGES, Type.LIST, List.of(), Importance.LOW,
                    "Internal: the image files assigned to a task.");

    private final boolean sync;

    public Qcow2BitmapSourceConnectorConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        sync = SyncMode.on(this, rescanInterval() > 0, RESCAN_INTERVAL);
    }

    /** Whether each look is a sync round (DESIGN.md section 12) rather than new migrations. */
    public boolean syncMode() {
        return sync;
    }

    public List<String> images() {
        return getList(IMAGES);
    }

    public String filePattern() {
        return getString(FILE_PATTERN);
    }

    public String target() {
        return getString(TARGET);
    }

    public String migrationPrefix() {
        return getString(MIGRATION_PREFIX);
    }

    public String topicPrefix() {
        return getString(TOPIC_PREFIX);
    }

    /** The source-side mapping file, or null. */
    public Path sourceMappingFile() {
        String f = getString(SOURCE_MAPPING);
        return f.isBlank() ? null : Path.of(f);
    }

    /** The destination-side mapping file, or null. */
    public Path destinationMappingFile() {
        String f = getString(DESTINATION_MAPPING);
        return f.isBlank() ? null : Path.of(f);
    }

    public int batchRecords() {
        return getInt(BATCH_RECORDS);
    }

    public long rateLimit() {
        return getLong(RATE_LIMIT);
    }

    /** Milliseconds between looks for new or changed images; 0 for none. */
    public long rescanInterval() {
        return getLong(RESCAN_INTERVAL);
    }

    /** The configured source id, or {@code connect:<connector name>} when none is set. */
    public String sourceId(String connectorName) {
        String id = getString(SOURCE_ID);
        return id.isBlank() ? "connect:" + connectorName : id;
    }

    /** Bitmap bytes per BITS chunk ({@link ChunkSizeSetting}). */
    public org.dbmstream.bitmap.chunk.ChunkSize chunkSize() {
        return ChunkSizeSetting.of(this);
    }

    public List<String> taskImages() {
        return getList(TASK_IMAGES);
    }

    /** Every path must exist and be a readable file or directory. */
    static final class ExistingPaths implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> paths = (List<String>) value;
            if (paths == null || paths.isEmpty() || paths.stream().allMatch(String::isBlank)) {
                throw new ConfigException(name, value, "at least one image file or directory is required");
            }
            for (String p : paths) {
                Path path = Path.of(p.trim());
                if (!Files.exists(path)) {
                    throw new ConfigException(name, p, "no such file or directory");
                }
                if (!Files.isReadable(path)) {
                    throw new ConfigException(name, p, "not readable");
                }
            }
        }

        @Override
        public String toString() {
            return "existing image files or directories";
        }
    }

    /** Empty, or an existing readable file. */
    static final class OptionalFile implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String f = (String) value;
            if (f != null && !f.isBlank() && !(Files.isRegularFile(Path.of(f)) && Files.isReadable(Path.of(f)))) {
                throw new ConfigException(name, value, "not a readable file");
            }
        }

        @Override
        public String toString() {
            return "empty, or a readable file";
        }
    }

    /** A non-blank string. */
    static final class NonBlank implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null || ((String) value).isBlank()) {
                throw new ConfigException(name, value, "must not be empty");
            }
        }

        @Override
        public String toString() {
            return "non-empty string";
        }
    }
}
