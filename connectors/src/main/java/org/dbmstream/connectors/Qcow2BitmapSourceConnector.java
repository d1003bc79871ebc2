package org.dbmstream.connectors;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Connect source connector that publishes the persistent dirty bitmaps of qcow2 images, one
 * migration per image, with the same records as {@code dbm migrate} (spec to {@code migrations}, chunks
 * to {@code chunks}). Records arrive already serialized by dbm-stream's serdes, so the connector
 * requires {@code ByteArrayConverter} for keys and values. Source offsets (per image: migration id and
 * position) let a restarted worker resume without duplicating or skipping a chunk; with the worker's
 * {@code exactly.once.source.support=enabled}, records and offsets are committed atomically, and with
 * {@code transaction.boundary=connector} each image's migration is one transaction. With
 * {@code images.rescan.interval.ms}, new images in the directories and images changed since their last
 * migration are published too, as new migrations.
 */
public final class Qcow2BitmapSourceConnector extends SourceConnector {
    private static final Logger LOG = LoggerFactory.getLogger(Qcow2BitmapSourceConnector.class);
    static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";
    static final List<String> CONVERTER_KEYS = List.of("key.converter", "value.converter");

    private Map<String, String> props;
    private volatile List<Path> images;
    private ScheduledExecutorService rescanner;

    @Override
    public String version() {
        return ConnectorVersion.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        Qcow2BitmapSourceConnectorConfig config = new Qcow2BitmapSourceConnectorConfig(props);
        List<Path> found = ImageFiles.expand(config.images(), config.filePattern());
        if (found.isEmpty()) {
            throw new ConfigException(Qcow2BitmapSourceConnectorConfig.IMAGES, String.join(",", config.images()),
                    "no image file found (directories are searched for '" + config.filePattern() + "')");
        }
        this.props = new HashMap<>(props);
        this.images = found;
        if (config.rescanInterval() > 0) {
            rescanner = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "qcow2-bitmaps-rescan-" + props.get("name"));
                t.setDaemon(true);
                return t;
            });
            rescanner.scheduleWithFixedDelay(() -> rescan(config), config.rescanInterval(), config.rescanInterval(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** New or vanished images change the tasks' shares: ask the worker to reconfigure them. */
    private void rescan(Qcow2BitmapSourceConnectorConfig config) {
        try {
            List<Path> now = ImageFiles.expand(config.images(), config.filePattern());
            if (!now.isEmpty() && !now.equals(images)) {
                LOG.info("images changed from {} to {} files: reconfiguring tasks", images.size(), now.size());
                images = now;
                context().requestTaskReconfiguration();
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot look for new images: {}", e.toString());
        }
    }

    @Override
    public Class<? extends Task> taskClass() {
        return Qcow2BitmapSourceTask.class;
    }

    /** Spreads the images over at most {@code maxTasks} tasks, round robin. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        int tasks = Math.max(1, Math.min(maxTasks, images.size()));
        List<List<String>> groups = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            groups.add(new ArrayList<>());
        }
        for (int i = 0; i < images.size(); i++) {
            groups.get(i % tasks).add(images.get(i).toString());
        }
        return groups.stream().map(g -> {
            Map<String, String> task = new HashMap<>(props);
            task.put(Qcow2BitmapSourceConnectorConfig.TASK_IMAGES, String.join(",", g));
            return task;
        }).collect(Collectors.toList());
    }

    @Override
    public void stop() {
        if (rescanner != null) {
            rescanner.shutdownNow();
            rescanner = null;
        }
    }

    @Override
    public ConfigDef config() {
        return Qcow2BitmapSourceConnectorConfig.CONFIG_DEF;
    }

    /** Our own settings, plus: the converters must pass our bytes through unchanged. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        return withConverterCheck(super.validate(connectorConfigs), connectorConfigs);
    }

    /** {@code config} plus an error for each converter that is not the byte-array converter. */
    static Config withConverterCheck(Config config, Map<String, String> connectorConfigs) {
        List<ConfigValue> values = new ArrayList<>(config.configValues());
        for (String key : CONVERTER_KEYS) {
            String value = connectorConfigs.get(key);
            if (!BYTE_ARRAY_CONVERTER.equals(value == null ? null : value.trim())) {
                // the worker renders this key as a class: report the error without a value
                ConfigValue v = new ConfigValue(key, null, List.of(), new ArrayList<>());
                v.addErrorMessage(key + " must be " + BYTE_ARRAY_CONVERTER
                        + ": records are already serialized by dbm-stream's serdes");
                values.add(v);
            }
        }
        return new Config(values);
    }

    /** Records and offsets can be committed atomically: positions are deterministic. */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    /** With {@code transaction.boundary=connector}, each image's migration is one transaction. */
    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.SUPPORTED;
    }

    /** Offsets may be reset or rewritten by users when they are well-formed (or removed). */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        for (var e : offsets.entrySet()) {
            if (!(e.getKey().get(SourceOffsets.IMAGE) instanceof String)) {
                throw new org.apache.kafka.connect.errors.ConnectException(
                        "source partition must be {\"" + SourceOffsets.IMAGE + "\": path}, got " + e.getKey());
            }
            if (e.getValue() != null) {
                SourceOffsets.parse(e.getKey(), e.getValue());
            }
        }
        return true;
    }
}
