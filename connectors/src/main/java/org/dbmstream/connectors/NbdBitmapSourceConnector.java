package org.dbmstream.connectors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Publishes the live dirty bitmaps of NBD exports (a running QEMU: qemu-storage-daemon, qemu-nbd, a VM's
 * pull-mode backup export) as migrations, with the records {@code dbm migrate nbd://...} writes: one
 * migration per read whose content is new, read once per task start or every {@code poll.interval.ms}.
 */
public final class NbdBitmapSourceConnector extends SourceConnector {
    private Map<String, String> props;
    private List<String> uris;

    @Override
    public String version() {
        return ConnectorVersion.VERSION;
    }

    @Override
    public void start(final Map<String, String> props) {
        final NbdBitmapSourceConnectorConfig config = new NbdBitmapSourceConnectorConfig(props);
        this.props = new HashMap<>(props);
        this.uris = config.uris().stream().map(String::trim).toList();
    }

    @Override
    public Class<? extends Task> taskClass() {
        return NbdBitmapSourceTask.class;
    }

    /** Spreads the exports over at most {@code maxTasks} tasks, round robin. */
    @Override
    public List<Map<String, String>> taskConfigs(final int maxTasks) {
        final int tasks = Math.max(1, Math.min(maxTasks, uris.size()));
        final List<Map<String, String>> out = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            final List<String> mine = new ArrayList<>();
            for (int i = t; i < uris.size(); i += tasks) {
                mine.add(uris.get(i));
            }
            final Map<String, String> task = new HashMap<>(props);
            task.put(NbdBitmapSourceConnectorConfig.TASK_URIS, String.join(",", mine));
            out.add(task);
        }
        return out;
    }

    @Override
    public void stop() {
        // nothing runs in the connector itself
    }

    @Override
    public ConfigDef config() {
        return NbdBitmapSourceConnectorConfig.CONFIG_DEF;
    }

    /** Our settings, plus the converter check of the qcow2 connector. */
    @Override
    public Config validate(final Map<String, String> connectorConfigs) {
        return Qcow2BitmapSourceConnector.withConverterCheck(super.validate(connectorConfigs), connectorConfigs);
    }

    /** Records and offsets commit atomically: a migration's records are fixed by the content read. */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(final Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    /** With {@code transaction.boundary=connector}, each migration is one transaction. */
    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(final Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.SUPPORTED;
    }
}
