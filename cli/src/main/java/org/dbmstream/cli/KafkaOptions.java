package org.dbmstream.cli;

import java.nio.file.Path;
import java.util.Map;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Where the brokers are and how to talk to them: the connection options {@code migrate} and {@code sync} share. */
public final class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT,...",
            description = "Kafka brokers with a running destination; default: run both in-process.")
    String bootstrapServers;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "dbm.",
            converter = KafkaNames.TopicPrefix.class, description = "Topic prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix = "dbm.";

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with client and serde settings.")
    Path configFile;

    /** The {@code --config} file's settings (empty without one), read and checked before anything starts. */
    public Map<String, String> clientConfig(final CommandSpec spec) {
        return configFile == null ? Map.of()
                : DestinationConfig.readProperties(ArgumentChecks.readable(spec, "--config", configFile));
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /** The brokers given, or null: run one in-process. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String topicPrefix() {
        return topicPrefix;
    }
}
