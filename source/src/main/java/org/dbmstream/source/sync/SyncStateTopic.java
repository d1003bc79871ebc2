package org.dbmstream.source.sync;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.dbmstream.schemas.SyncState;
import org.dbmstream.serdes.AvroSerde;

/**
 * What sync remembers, on the compacted sync topic (DESIGN.md section 12): per replica bitmap, its confirmed
 * version in parts of at most {@value #PART_CHUNKS} chunk digests (512 KiB, under Kafka's default 1 MB record
 * limit), keyed by {@link BitmapIdentity#key}. A target's records share one partition (murmur2 of the target),
 * so a sync reads only that one. A version whose parts disagree (a writer died between them) reads as
 * unknown: the next round sends the bitmap whole.
 */
public final class SyncStateTopic {
    /** Chunk digests per record. */
    public static final int PART_CHUNKS = 65_536;
    private static final Duration POLL = Duration.ofMillis(200);

    private final String topic;
    private final AvroSerde<SyncState> serde;

    public SyncStateTopic(String topic, AvroSerde<SyncState> serde) {
        this.topic = topic;
        this.serde = serde;
    }

    public String topic() {
        return topic;
    }

    /** The partition of {@code target}'s records on a sync topic of {@code partitions}. */
    public static int partitionOf(String target, int partitions) {
        return Utils.toPositive(Utils.murmur2(target.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The records that remember {@code v} (part 0 first), for a sync topic of {@code partitions}. */
    public List<ProducerRecord<String, byte[]>> records(RememberedVersion v, int partitions) {
        int parts = Math.max(1, (v.digests().length + PART_CHUNKS - 1) / PART_CHUNKS);
        int partition = partitionOf(v.id().target(), partitions);
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = p * PART_CHUNKS;
            int to = Math.min(v.digests().length, from + PART_CHUNKS);
            ByteBuffer digests = ByteBuffer.allocate((to - from) * Long.BYTES);
            for (int i = from; i < to; i++) {
                digests.putLong(v.digests()[i]);
            }
            SyncState state = SyncState.newBuilder().setTarget(v.id().target()).setNode(v.id().node())
                    .setBitmap(v.id().bitmap()).setSha256(v.sha256()).setCount(v.count())
                    .setGranularity(v.granularity()).setSize(v.size()).setEnabled(v.enabled())
                    .setPersistent(v.persistent()).setChunkSectors(v.chunkSectors()).setChunks(v.digests().length)
                    .setPart(p).setParts(parts).setFirstChunk(from).setDigests(digests.flip())
                    .setNodeAlias(v.nodeAlias()).setBitmapAlias(v.bitmapAlias()).setMigration(v.migration())
                    .setConfirmed(v.confirmed()).setReadTime(v.readTime()).build();
            out.add(new ProducerRecord<>(topic, partition, v.id().key(p), serde.serialize(topic, state)));
        }
        return out;
    }

    /** Tombstones for every part of what is remembered of {@code v}. */
    public List<ProducerRecord<String, byte[]>> forget(RememberedVersion v, int partitions) {
        int parts = Math.max(1, (v.digests().length + PART_CHUNKS - 1) / PART_CHUNKS);
        int partition = partitionOf(v.id().target(), partitions);
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            out.add(new ProducerRecord<>(topic, partition, v.id().key(p), null));
        }
        return out;
    }

    /**
     * Everything remembered of {@code target}: its partition read from the beginning to its end as of now.
     * {@code consumer} is assigned to it (its other assignments are dropped).
     */
    public Map<BitmapIdentity, RememberedVersion> read(Consumer<String, byte[]> consumer, String target,
            Duration timeout) {
        int partitions = consumer.partitionsFor(topic, timeout).size();
        TopicPartition tp = new TopicPartition(topic, partitionOf(target, partitions));
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
        Map<String, SyncState> latest = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.position(tp, timeout) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cannot read " + tp + " to its end within " + timeout);
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                latest.put(r.key(), r.value() == null ? null : serde.deserialize(topic, r.value()));
            }
        }
        return assemble(latest, target);
    }

    /** Versions whose parts are all present and agree. */
    static Map<BitmapIdentity, RememberedVersion> assemble(Map<String, SyncState> latest, String target) {
        Map<BitmapIdentity, RememberedVersion> out = new HashMap<>();
        for (SyncState head : latest.values()) {
            if (head == null || head.getPart() != 0 || !head.getTarget().equals(target)) {
                continue;
            }
            BitmapIdentity id = new BitmapIdentity(head.getTarget(), head.getNode(), head.getBitmap());
            long[] digests = new long[Math.toIntExact(head.getChunks())];
            boolean whole = true;
            for (int p = 0; p < head.getParts() && whole; p++) {
                SyncState part = latest.get(id.key(p));
                whole = part != null && part.getSha256().equals(head.getSha256()) && part.getParts() == head.getParts()
                        && part.getChunks() == head.getChunks();
                if (whole) {
                    ByteBuffer d = part.getDigests().duplicate();
                    for (int i = (int) part.getFirstChunk(); d.remaining() >= Long.BYTES && i < digests.length; i++) {
                        digests[i] = d.getLong();
                    }
                }
            }
            if (whole) {
                out.put(id, new RememberedVersion(id, head.getSha256(), head.getCount(), head.getGranularity(),
                        head.getSize(), head.getEnabled(), head.getPersistent(), head.getChunkSectors(), digests,
                        head.getNodeAlias(), head.getBitmapAlias(), head.getMigration(), head.getConfirmed(),
                        head.getReadTime()));
            }
        }
        return out;
    }
}
