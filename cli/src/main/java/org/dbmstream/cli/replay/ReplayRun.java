package org.dbmstream.cli.replay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.serdes.AvroSerde;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.dbmstream.topology.DestinationApp;
import org.dbmstream.topology.DestinationConfig;
import org.dbmstream.topology.TopicSetup;

/**
 * A replay (DESIGN.md section 6): the selected migrations' specs and chunks are copied from the live
 * topics into topics of the replay's own prefix, a destination topology under a fresh application id
 * rebuilds their bitmaps from them, and each bitmap's sha256/count is compared with what the live
 * destination reported (its BitmapCompleted events). The live destination's topics are only read.
 */
public final class ReplayRun {

    /**
     * What to replay: one migration ({@code migration}), the migrations published since {@code from} (the
     * time of their spec record), or, with neither, all.
     */
    public record Settings(String bootstrap, Topics live, String migration, Instant from, String applicationId,
            String replayPrefix, Path stateDir, Map<String, String> extra, Duration timeout) {
    }

    /** One bitmap as the live destination and the replay reported it (null/-1 where one of them did not). */
    public record Row(String migration, String node, String bitmap, String liveSha256, long liveCount,
            String replaySha256, long replayCount) {
        public boolean equal() {
            return liveSha256 != null && liveSha256.equals(replaySha256) && liveCount == replayCount;
        }
    }

    /** The rows, the migrations replayed and how many of them reached a final event in the replay. */
    public record Result(List<Row> rows, Set<String> migrations, int finished, long chunksCopied) {
        public boolean allEqual() {
            return finished == migrations.size() && rows.stream().allMatch(Row::equal);
        }
    }

    /** The live topics do not exist under the given prefix: nothing was created or copied. */
    public static final class NoLiveTopicsException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoLiveTopicsException(String message) {
            super(message);
        }
    }

    /** How often the wait for the replayed migrations says how far it is. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final Settings s;
    private final Consumer<String> progress;

    public ReplayRun(Settings settings) {
        this(settings, line -> { });
    }

    /** A replay that tells {@code progress} what it does, a line at a time (copying, waiting). */
    public ReplayRun(Settings settings, Consumer<String> progress) {
        this.s = settings;
        this.progress = progress;
    }

    public Result run() throws InterruptedException {
        Topics replay = new Topics(s.replayPrefix());
        AvroSerde<ChunkKey> keys = DbmSerdes.chunkKey(s.extra());
        Map<String, String> extra = new HashMap<>(s.extra());
        Map<String, Object> adminConfig = new HashMap<>(s.extra());
        adminConfig.keySet().retainAll(AdminClientConfig.configNames());
        adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
        try (Admin admin = Admin.create(adminConfig)) {
            // before anything reads or writes: a wrong live prefix must not create topics of that prefix
            requireLiveTopics(admin);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list the topics on " + s.bootstrap() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
        try (TopicCopy io = new TopicCopy(s.bootstrap(), s.extra())) {
            Set<String> selected = select(io);
            extra.put(DestinationConfig.TOPIC_PARTITIONS, String.valueOf(partitions(io, s.live().chunks())));
            // a replay catches up on topics already filled: every chunk would otherwise wait for its spec's trip
            // through the control topic (unless the properties file says otherwise)
            extra.putIfAbsent(DestinationConfig.SPEC_READ_AHEAD, "true");
            DestinationConfig config = new DestinationConfig(s.bootstrap(), s.applicationId(), s.stateDir(),
                    s.replayPrefix(), StreamsConfig.EXACTLY_ONCE_V2, extra);
            try (Admin admin = Admin.create(adminConfig)) {
                TopicSetup.ensure(admin, config);
            }
            io.copy(s.live().migrations(), replay.migrations(),
                    r -> r.key() != null && selected.contains(new String(r.key(), StandardCharsets.UTF_8)));
            progress.accept("copying the chunks of " + selected.size() + " migration(s) from " + s.live().chunks()
                    + " to " + replay.chunks());
            long chunks = io.copy(s.live().chunks(), replay.chunks(), r -> r.key() != null
                    && selected.contains(keys.deserializer().deserialize(r.topic(), r.key()).getMigration()));
            progress.accept("copied " + chunks + " chunk records; replaying them under application id '"
                    + s.applicationId() + "'");
            Map<String, Map<String, BitmapCompleted>> live = completed(io, s.live().events(), selected);
            try (DestinationApp app = new DestinationApp(config).start()) {
                Map<String, Map<String, BitmapCompleted>> replayed = awaitReplay(io, replay.events(), selected);
                return new Result(rows(live, replayed), selected, finished(io, replay.events(), selected), chunks);
            }
        }
    }

    private void requireLiveTopics(Admin admin) throws ExecutionException, InterruptedException {
        Set<String> existing = admin.listTopics().names().get();
        List<String> missing = new ArrayList<>();
        for (String topic : List.of(s.live().migrations(), s.live().chunks(), s.live().events())) {
            if (!existing.contains(topic)) {
                missing.add(topic);
            }
        }
        if (!missing.isEmpty()) {
            throw new NoLiveTopicsException("--topic-prefix '" + s.live().prefix() + "': " + String.join(", ", missing)
                    + (missing.size() == 1 ? " does" : " do") + " not exist on " + s.bootstrap()
                    + " (the live destination's topics; is the prefix right?); nothing was created");
        }
    }

    /** The migrations to replay: by id, by spec time, or all (a spec deleted by a tombstone is not replayed). */
    private Set<String> select(TopicCopy io) {
        Map<String, Long> specTimes = new LinkedHashMap<>();
        io.read(s.live().migrations(), r -> {
            if (r.key() == null) {
                return;
            }
            String id = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                specTimes.remove(id);
            } else {
                specTimes.put(id, r.timestamp());
            }
        });
        Set<String> out = new LinkedHashSet<>();
        specTimes.forEach((id, time) -> {
            if ((s.migration() == null || s.migration().equals(id))
                    && (s.from() == null || time >= s.from().toEpochMilli())) {
                out.add(id);
            }
        });
        if (s.migration() != null && out.isEmpty()) {
            throw new IllegalArgumentException("migration '" + s.migration() + "' has no spec on "
                    + s.live().migrations());
        }
        return out;
    }

    private static int partitions(TopicCopy io, String topic) {
        return io.partitions(topic).size();
    }

    private Map<String, Map<String, BitmapCompleted>> completed(TopicCopy io, String topic, Set<String> selected) {
        Map<String, Map<String, BitmapCompleted>> out = new LinkedHashMap<>();
        for (Event e : events(io, topic, selected)) {
            if (e.getBody() instanceof BitmapCompleted c) {
                out.computeIfAbsent(e.getMigration(), k -> new LinkedHashMap<>()).put(e.getNode() + "/" + e.getBitmap(), c);
            }
        }
        return out;
    }

    private List<Event> events(TopicCopy io, String topic, Set<String> selected) {
        var deserializer = DbmSerdes.event(s.extra()).deserializer();
        List<Event> out = new ArrayList<>();
        io.read(topic, r -> {
            if (r.value() != null) {
                Event e = deserializer.deserialize(r.topic(), r.value());
                if (selected.contains(e.getMigration())) {
                    out.add(e);
                }
            }
        });
        return out;
    }

    private int finished(TopicCopy io, String topic, Set<String> selected) {
        return (int) events(io, topic, selected).stream().filter(ReplayRun::isFinal).map(Event::getMigration)
                .distinct().count();
    }

    private static boolean isFinal(Event e) {
        return e.getBody() instanceof MigrationCompleted || e.getBody() instanceof MigrationCancelled
                || e.getBody() instanceof MigrationFailed;
    }

    /** Re-reads the replay's events until every selected migration has a final event or the timeout passes. */
    private Map<String, Map<String, BitmapCompleted>> awaitReplay(TopicCopy io, String topic, Set<String> selected)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + s.timeout().toNanos();
        long nextReport = start + PROGRESS_EVERY.toNanos();
        int finished;
        while ((finished = finished(io, topic, selected)) < selected.size() && System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextReport) {
                nextReport += PROGRESS_EVERY.toNanos();
                progress.accept(finished + " of " + selected.size() + " replayed migration(s) ended ("
                        + (System.nanoTime() - start) / 1_000_000_000L + " s of --timeout " + s.timeout().toSeconds()
                        + " s)");
            }
            Thread.sleep(500);
        }
        return completed(io, topic, selected);
    }

    private static List<Row> rows(Map<String, Map<String, BitmapCompleted>> live,
            Map<String, Map<String, BitmapCompleted>> replayed) {
        List<Row> rows = new ArrayList<>();
        Set<String> migrations = new LinkedHashSet<>(live.keySet());
        migrations.addAll(replayed.keySet());
        for (String m : migrations) {
            Map<String, BitmapCompleted> l = live.getOrDefault(m, Map.of());
            Map<String, BitmapCompleted> r = replayed.getOrDefault(m, Map.of());
            Set<String> names = new LinkedHashSet<>(l.keySet());
            names.addAll(r.keySet());
            for (String name : names) {
                BitmapCompleted a = l.get(name);
                BitmapCompleted b = r.get(name);
                int slash = name.indexOf('/');
                rows.add(new Row(m, name.substring(0, slash), name.substring(slash + 1),
                        a == null ? null : a.getSha256(), a == null ? -1 : a.getCount(),
                        b == null ? null : b.getSha256(), b == null ? -1 : b.getCount()));
            }
        }
        rows.sort((x, y) -> Objects.compare(x.migration() + "\0" + x.node() + "\0" + x.bitmap(),
                y.migration() + "\0" + y.node() + "\0" + y.bitmap(), String::compareTo));
        return rows;
    }
}
