package org.dbmstream.source.sync;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.dbmstream.bitmap.chunk.ChunkDigest;
import org.dbmstream.bitmap.chunk.ChunkLayout;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapRemoved;
import org.dbmstream.schemas.BitmapUpdated;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.serdes.DbmSerdes;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationPlan;
import org.dbmstream.source.MigrationPlanner;
import org.dbmstream.source.MigrationPublisher;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.MigrationSpecs;
import org.dbmstream.source.NamedBitmap;
import org.dbmstream.source.PublishListener;
import org.dbmstream.source.PublishResult;
import org.dbmstream.source.PublisherSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one target's replica current, round after round (DESIGN.md section 12): reads what it remembers
 * from the sync topic, follows the target's events (its own confirmations, and changes others make, which
 * make it forget a version), and per round reads the sources, publishes one migration of deltas, whole
 * bitmaps and removals, waits until the destination settled every bitmap, sends refused deltas again whole,
 * and remembers what was confirmed. One round at a time.
 */
public final class SyncSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncSession.class);
    /** Events a little older than the oldest confirmation are read too (clocks of other hosts). */
    private static final long CLOCK_SLACK_MS = 60_000;

    /**
     * How a session runs.
     *
     * @param bootstrapServers Kafka
     * @param topics           topic names
     * @param clientConfig     client and serde settings (a {@code --config} file)
     * @param target           the destination namespace kept current
     * @param sourceId         source id on every chunk
     * @param timeout          how long a round waits for the destination
     * @param prune            remove replica bitmaps gone at the source
     * @param rateLimit        bytes per second (0: unlimited), like QEMU's max-bandwidth
     * @param chunkSize        bitmap per chunk, of whole bitmaps and deltas alike (a delta sends each changed chunk
     *                         whole, so a wider chunk means fewer records but more bytes per change)
     */
    public record Settings(String bootstrapServers, Topics topics, Map<String, String> clientConfig, String target,
            String sourceId, Duration timeout, boolean prune, long rateLimit, ChunkSize chunkSize) {
        public Settings {
            clientConfig = Map.copyOf(clientConfig);
            java.util.Objects.requireNonNull(chunkSize, "chunkSize");
        }

        /** Settings with QEMU's 1 KiB chunks. */
        public Settings(String bootstrapServers, Topics topics, Map<String, String> clientConfig, String target,
                String sourceId, Duration timeout, boolean prune, long rateLimit) {
            this(bootstrapServers, topics, clientConfig, target, sourceId, timeout, prune, rateLimit, ChunkSize.QEMU);
        }
    }

    private final Settings settings;
    private final MigrationPublisher publisher;
    private final KafkaProducer<String, byte[]> stateProducer;
    private final SyncStateTopic stateTopic;
    private final ReplicaEvents events;
    private final Map<BitmapIdentity, RememberedVersion> remembered;
    private final Set<String> ours = new HashSet<>();
    private final List<ProducerRecord<String, byte[]>> pendingState = new ArrayList<>();
    private final int syncPartitions;
    private int rounds;

    private SyncSession(Settings settings, MigrationPublisher publisher, KafkaProducer<String, byte[]> stateProducer,
            SyncStateTopic stateTopic, ReplicaEvents events, Map<BitmapIdentity, RememberedVersion> remembered,
            int syncPartitions) {
        this.settings = settings;
        this.publisher = publisher;
        this.stateProducer = stateProducer;
        this.stateTopic = stateTopic;
        this.events = events;
        this.remembered = remembered;
        this.syncPartitions = syncPartitions;
    }

    /** Reads what is remembered of the target and what changed on the replica since. */
    public static SyncSession open(Settings s) {
        Map<String, Object> consumerKeys = only(s.clientConfig(), ConsumerConfig.configNames());
        SyncStateTopic stateTopic = new SyncStateTopic(s.topics().sync(), DbmSerdes.syncState(s.clientConfig()));
        Map<BitmapIdentity, RememberedVersion> remembered;
        int partitions;
        Map<String, Object> c = new HashMap<>(consumerKeys);
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "dbm-sync-state");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            var infos = consumer.partitionsFor(stateTopic.topic(), s.timeout());
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + stateTopic.topic() + " does not exist: start a destination "
                        + "of this version on these topics (it creates it), or create it compacted");
            }
            partitions = infos.size();
            remembered = new HashMap<>(stateTopic.read(consumer, s.target(), s.timeout()));
        }
        LOG.info("sync of target '{}': {} bitmap version(s) remembered", s.target(), remembered.size());
        ReplicaEvents events = new ReplicaEvents(s.bootstrapServers(), s.topics().events(), s.clientConfig(),
                consumerKeys, s.target());
        long oldest = remembered.values().stream().mapToLong(RememberedVersion::confirmed).min()
                .orElse(System.currentTimeMillis());
        events.startAt(oldest - CLOCK_SLACK_MS, s.timeout());
        Map<String, Object> p = only(s.clientConfig(), ProducerConfig.configNames());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576);
        KafkaProducer<String, byte[]> stateProducer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer());
        PublisherSettings.Builder pb = PublisherSettings.builder(s.bootstrapServers()).topics(s.topics())
                .serdeConfig(s.clientConfig()).rateLimit(s.rateLimit()).sourceId(s.sourceId());
        only(s.clientConfig(), ProducerConfig.configNames()).forEach(pb::producerOverride);
        SyncSession session = new SyncSession(s, new MigrationPublisher(pb.build()), stateProducer, stateTopic, events,
                remembered, partitions);
        events.catchUp(s.timeout(), session::changedByOthers);
        session.flushState();
        return session;
    }

    /** The versions remembered now (a copy). */
    public Map<BitmapIdentity, RememberedVersion> remembered() {
        return Map.copyOf(remembered);
    }

    /**
     * One round over {@code request}'s inputs (images and raw bitmaps, with its mappings; its migration id,
     * spec options and switchover are not used): returns when the destination settled everything published.
     */
    public RoundResult round(MigrationRequest request) throws IOException, InterruptedException {
        long t0 = System.currentTimeMillis();
        int round = ++rounds;
        MigrationPlanner.Selection selection = MigrationPlanner.select(request);
        try {
            Names names = new Names(request);
            List<ScannedBitmap> scanned = new ArrayList<>();
            for (NamedBitmap b : selection.bitmaps()) {
                scanned.add(ScannedBitmap.scan(b.nodeName(), b.bitmapName(), b.bitmap(), names.of(b), t0,
                        settings.chunkSize()));
            }
            Set<String> nodesRead = new HashSet<>();
            selection.nodes().forEach(n -> names.nodeOf(n).ifPresent(nodesRead::add));
            events.catchUp(settings.timeout(), this::changedByOthers);
            RoundPlan plan = RoundPlan.of(scanned, remembered, nodesRead, settings.prune());
            Map<BitmapIdentity, BitmapOutcome> outcomes = new LinkedHashMap<>();
            plan.actions().stream().filter(a -> !a.sends()).forEach(a -> outcomes.put(a.id(), new BitmapOutcome(a.id(),
                    BitmapOutcome.Result.UNCHANGED, 0, 0, a.remembered().sha256(), a.remembered().count(), null)));
            List<String> migrations = new ArrayList<>();
            long[] cost = new long[2];
            List<RoundPlan.Action> sending = plan.sending();
            if (!sending.isEmpty()) {
                Map<BitmapIdentity, Settlement> settled = publishAndAwait(request, sending, migrations, cost);
                List<RoundPlan.Action> again = new ArrayList<>();
                for (RoundPlan.Action a : sending) {
                    Settlement st = settled.get(a.id());
                    if (a.kind() == RoundPlan.Kind.DELTA && st.refused()) {
                        LOG.info("{}: delta refused ({}); sending it whole", a.id(), st.reason());
                        again.add(a.whole("delta refused: " + st.reason()));
                    } else {
                        outcomes.put(a.id(), settle(a, st));
                    }
                }
                if (!again.isEmpty()) {
                    Map<BitmapIdentity, Settlement> second = publishAndAwait(request, again, migrations, cost);
                    again.forEach(a -> outcomes.put(a.id(), settle(a, second.get(a.id()))));
                }
                flushState();
            }
            List<BitmapOutcome> ordered = new ArrayList<>(outcomes.values());
            ordered.sort((x, y) -> x.id().compareTo(y.id()));
            return new RoundResult(round, ordered, migrations, cost[0], cost[1], System.currentTimeMillis() - t0);
        } finally {
            for (AutoCloseable c : selection.opened()) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug("cannot close {}: {}", c, e.toString());
                }
            }
        }
    }

    /** How the destination settled one bitmap of a round's migration. */
    private record Settlement(String migration, String sha256, long count, long time, boolean refused, String reason,
            boolean removed) {
        static Settlement failed(String migration, String reason) {
            return new Settlement(migration, null, -1, 0, false, reason, false);
        }

        boolean completed() {
            return sha256 != null;
        }
    }

    /** What {@code a} came to, and what to remember of it. */
    private BitmapOutcome settle(RoundPlan.Action a, Settlement st) {
        long[] sent = sentCost(a);
        RememberedVersion before = remembered.get(a.id());
        if (a.kind() == RoundPlan.Kind.REMOVE) {
            forget(a.id());
            return new BitmapOutcome(a.id(), BitmapOutcome.Result.REMOVED, 0, 0, null, -1, null);
        }
        if (st == null || !st.completed()) {
            if (before != null) {
                forget(a.id());
            }
            String why = st == null ? "no outcome" : st.reason();
            return new BitmapOutcome(a.id(), BitmapOutcome.Result.FAILED, sent[0], sent[1], null, -1, why);
        }
        RememberedVersion now = a.scanned().confirmed(st.migration(), st.time());
        remembered.put(a.id(), now);
        pendingState.addAll(stateTopic.records(now, syncPartitions));
        return new BitmapOutcome(a.id(), a.kind() == RoundPlan.Kind.DELTA ? BitmapOutcome.Result.DELTA
                : BitmapOutcome.Result.FULL, sent[0], sent[1], st.sha256(), st.count(), a.why());
    }

    /** Chunks and payload bytes {@code a} sends. */
    private static long[] sentCost(RoundPlan.Action a) {
        if (a.kind() == RoundPlan.Kind.REMOVE) {
            return new long[] {0, 0};
        }
        ChunkLayout layout = a.scanned().chunker().layout();
        long[] digests = a.scanned().digests();
        long chunks = 0;
        long bytes = 0;
        if (a.kind() == RoundPlan.Kind.DELTA) {
            for (long i : a.changed()) {
                chunks++;
                bytes += digests[(int) i] == ChunkDigest.ZEROES ? 0 : layout.bufferSize(i);
            }
        } else {
            for (int i = 0; i < digests.length; i++) {
                chunks++;
                bytes += digests[i] == ChunkDigest.ZEROES ? 0 : layout.bufferSize(i);
            }
        }
        return new long[] {chunks, bytes};
    }

    /** Publishes {@code actions} as one migration and waits until the destination settled each. */
    private Map<BitmapIdentity, Settlement> publishAndAwait(MigrationRequest request, List<RoundPlan.Action> actions,
            List<String> migrations, long[] cost) throws InterruptedException {
        String id = "sync-" + UUID.randomUUID();
        MigrationSpec spec = MigrationSpecs.of(id, settings.target(), request.destinationMapping(),
                request.destinationNodes(), System.currentTimeMillis());
        spec.setReplace(true);
        ours.add(id);
        migrations.add(id);
        PublishResult published;
        try (MigrationPlan plan = new MigrationPlan(spec, RoundChunkSource.of(actions), List.of())) {
            published = publisher.publish(plan, PublishListener.NONE);
        }
        cost[0] += published.records();
        cost[1] += published.bytes();
        LOG.info("round migration {}: {} bitmap(s), {} records, {} bytes", id, actions.size(), published.records(),
                published.bytes());
        Map<BitmapIdentity, Settlement> settled = new HashMap<>();
        String[] finalReason = {null};
        boolean[] done = {false};
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        while (!done[0]) {
            if (System.nanoTime() > deadline) {
                throw new SyncException("the destination did not settle migration " + id + " within "
                        + settings.timeout() + " (is a destination running on " + settings.topics().prefix() + "*?)");
            }
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for migration " + id);
            }
            events.poll(e -> {
                if (!id.equals(e.getMigration())) {
                    changedByOthers(e);
                    return;
                }
                Object body = e.getBody();
                BitmapIdentity bid = e.getNode() == null ? null
                        : new BitmapIdentity(e.getTarget(), e.getNode(), e.getBitmap());
                long time = e.getTime() == null ? 0 : e.getTime().toEpochMilli();
                if (body instanceof BitmapCompleted c) {
                    settled.put(bid, new Settlement(id, c.getSha256(), c.getCount(), time, false, null, false));
                } else if (body instanceof BitmapCancelled c) {
                    settled.put(bid, new Settlement(id, null, -1, time, c.getRefused(), c.getReason(), false));
                } else if (body instanceof BitmapRemoved) {
                    settled.put(bid, new Settlement(id, null, -1, time, false, null, true));
                } else if (body instanceof MigrationCompleted) {
                    done[0] = true;
                } else if (body instanceof MigrationCancelled c) {
                    finalReason[0] = "migration " + id + " cancelled: " + c.getReason();
                    done[0] = true;
                } else if (body instanceof MigrationFailed f) {
                    finalReason[0] = "migration " + id + " failed: " + f.getReason();
                    done[0] = true;
                }
            });
        }
        for (RoundPlan.Action a : actions) {
            settled.computeIfAbsent(a.id(), k -> a.kind() == RoundPlan.Kind.REMOVE && finalReason[0] == null
                    ? new Settlement(id, null, -1, 0, false, null, true)
                    : Settlement.failed(id, finalReason[0] != null ? finalReason[0] : "no event for it"));
        }
        return settled;
    }

    /** An event of the target that is not a confirmation of ours: a change the remembered version does not know. */
    private void changedByOthers(Event e) {
        if (e.getNode() == null || e.getBitmap() == null || ours.contains(e.getMigration())) {
            return;
        }
        BitmapIdentity id = new BitmapIdentity(e.getTarget(), e.getNode(), e.getBitmap());
        RememberedVersion r = remembered.get(id);
        long time = e.getTime() == null ? 0 : e.getTime().toEpochMilli();
        if (r == null || time <= r.confirmed() || r.migration().equals(e.getMigration())) {
            return;
        }
        Object body = e.getBody();
        String sha = body instanceof BitmapCompleted c ? c.getSha256()
                : body instanceof BitmapUpdated u ? u.getSha256() : null;
        boolean removed = body instanceof BitmapRemoved br && !ours.stream()
                .anyMatch(m -> br.getReason().contains("'" + m + "'"));
        if (removed || sha != null && !sha.equals(r.sha256())) {
            LOG.info("{}: the replica changed (migration '{}', {}): forgetting its version", id, e.getMigration(),
                    body.getClass().getSimpleName());
            // in memory only: the sync topic is rewritten by the round that reads this node (another sync may
            // keep this node current, and its record is not this session's to delete)
            remembered.remove(id);
        }
    }

    private void forget(BitmapIdentity id) {
        RememberedVersion r = remembered.remove(id);
        if (r != null) {
            pendingState.addAll(stateTopic.forget(r, syncPartitions));
        }
    }

    /** Writes what changed in what is remembered, and waits for the acknowledgements. */
    private void flushState() {
        if (pendingState.isEmpty()) {
            return;
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        pendingState.forEach(r -> sent.add(stateProducer.send(r)));
        pendingState.clear();
        stateProducer.flush();
        try {
            for (Future<RecordMetadata> f : sent) {
                f.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncException("interrupted while writing to " + stateTopic.topic(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new SyncException("cannot write to " + stateTopic.topic() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            flushState();
        } finally {
            publisher.close();
            stateProducer.close(Duration.ofSeconds(10));
            events.close();
        }
    }

    private static Map<String, Object> only(Map<String, String> all, Set<String> names) {
        Map<String, Object> out = new HashMap<>();
        all.forEach((k, v) -> {
            if (names.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Destination names of what a request reads, through its source and destination mappings. */
    private static final class Names {
        private final String target;
        private final AliasMap source;
        private final AliasMap destination;

        Names(MigrationRequest request) {
            this.target = request.target();
            this.source = request.sourceMapping();
            this.destination = request.destinationMapping() == null ? null : AliasMap.of(request.destinationMapping());
        }

        BitmapIdentity of(NamedBitmap b) {
            String nodeAlias = b.bitmap().nodeAlias();
            String bitmapAlias = b.bitmap().bitmapAlias();
            if (destination == null) {
                return new BitmapIdentity(target, nodeAlias, bitmapAlias);
            }
            String node = destination.nodeNameOf(nodeAlias).orElseThrow(() -> new IllegalArgumentException(
                    "node alias '" + nodeAlias + "' of " + b.nodeName() + "/" + b.bitmapName()
                            + " is not in the destination mapping"));
            String bitmap = destination.bitmapByAlias(nodeAlias, bitmapAlias).map(x -> x.name())
                    .orElseThrow(() -> new IllegalArgumentException("bitmap alias '" + bitmapAlias + "' on node alias '"
                            + nodeAlias + "' is not in the destination mapping"));
            return new BitmapIdentity(target, node, bitmap);
        }

        /** The destination node name of source node {@code nodeName}, when both mappings name it. */
        java.util.Optional<String> nodeOf(String nodeName) {
            java.util.Optional<String> alias = source == null ? java.util.Optional.of(nodeName)
                    : source.nodeAliasOf(nodeName);
            return destination == null ? alias : alias.flatMap(destination::nodeNameOf);
        }
    }
}
