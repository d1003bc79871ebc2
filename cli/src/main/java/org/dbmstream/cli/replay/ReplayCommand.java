package org.dbmstream.cli.replay;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.dbmstream.cli.ArgumentChecks;
import org.dbmstream.cli.KafkaNames;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code dbm replay}: rebuilds bitmaps from the chunks topic apart from the live destination and compares. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Rebuilds bitmaps from the chunks topic under a fresh application id, on topics of its own "
            + "(the live destination's topics are only read), and reports per bitmap whether sha256 and count equal "
            + "what the live destination reported.",
            "All migrations, one (--migration) or those published since a time (--from)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every bitmap equal and every migration replayed to its end",
            "1:some bitmap differs or is missing, or a migration did not end in time",
            "2:bad arguments (also: no live topics under --topic-prefix, a replay prefix overlapping the live one)"})
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT,...",
            description = "Kafka brokers holding the live topics.")
    String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = "dbm.", converter = KafkaNames.TopicPrefix.class,
            description = "The live topics' prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--migration", paramLabel = "ID", description = "Replay this migration only.")
    String migration;

    @Option(names = "--from", paramLabel = "TIME",
            description = "Replay the migrations whose spec was published at or after TIME (ISO-8601, e.g. 2026-11-28T10:00:00Z).")
    Instant from;

    @Option(names = "--application-id", paramLabel = "ID", converter = KafkaNames.ApplicationId.class,
            description = "Application id (default: dbm-replay-<random>).")
    String applicationId;

    @Option(names = "--replay-prefix", paramLabel = "PREFIX", converter = KafkaNames.TopicPrefix.class,
            description = "Prefix of the replay's own topics (default: <application id>., e.g. dbm-replay-1a2b3c4d.); "
                + "never the live prefix, nor one it starts with or that starts with it.")
    String replayPrefix;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "RocksDB state (default: a temporary directory).")
    Path stateDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with client and serde settings.")
    Path configFile;

    @Option(names = "--timeout", defaultValue = "10m", paramLabel = "DURATION",
            description = "How long to wait for the replayed migrations to end: 30m, 2h or ISO-8601 such as PT10M "
                + "(default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "One JSON object per bitmap, then a summary object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> extra = configFile == null ? Map.of()
                : DestinationConfig.readProperties(ArgumentChecks.readable(spec, "--config", configFile));
        String application = applicationId != null ? applicationId : "dbm-replay-" + id;
        // the replay's topics and Kafka Streams' internal ones then share one prefix, apart from the live topics
        String prefix = replayPrefix != null ? replayPrefix : application + ".";
        if (prefix.isEmpty() || prefix.startsWith(topicPrefix) || topicPrefix.startsWith(prefix)) {
            throw new ParameterException(spec.commandLine(), "--replay-prefix '" + prefix + "' overlaps the live "
                    + "topics' prefix '" + topicPrefix + "': the replay would write among the live topics (and "
                    + "deleting its topics by prefix would delete live ones); choose a prefix apart from it");
        }
        Path dir = stateDir != null ? stateDir : Files.createTempDirectory("dbm-replay-");
        PrintWriter err = spec.commandLine().getErr();
        ReplayRun.Result r;
        try {
            r = new ReplayRun(new ReplayRun.Settings(bootstrapServers, new Topics(topicPrefix), migration, from,
                    application, prefix, dir, extra, timeout), line -> {
                        err.println("dbm replay: " + line);
                        err.flush();
                    }).run();
        } catch (ReplayRun.NoLiveTopicsException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        for (ReplayRun.Row row : r.rows()) {
            out.println(json ? ReplayReport.json(row) : ReplayReport.line(row));
        }
        out.println(json ? ReplayReport.summaryJson(r, prefix) : ReplayReport.summary(r, prefix));
        out.flush();
        return r.allEqual() ? 0 : 1;
    }
}
