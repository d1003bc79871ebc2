package org.dbmstream.source;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.serdes.ChunkPartitions;
import org.dbmstream.serdes.ChunkRecords;
import org.dbmstream.serdes.Topics;

/**
 * A migration as the records that carry it, in order: position 0 is the migration spec (to the
 * compacted {@code migrations} topic, keyed by migration id), positions 1.. are the chunks (to
 * {@code chunks}, keyed {migration, node alias, bitmap alias}, EndOfStream with empty aliases), each
 * with its per-key sequence number and the source id. The same plan always yields the same records,
 * so a sender can resume at a position ({@link #skip}) — the publisher and the Connect task share this.
 */
public final class MigrationRecords implements Iterator<OutgoingRecord> {
    private final MigrationPlan plan;
    private final Topics topics;
    /** The chunks topic's name, made once: the producer hashes it for every record it looks up. */
    private final String chunksTopic;
    private final RecordSerializers serializers;
    private final String sourceId;
    private long position;
    /** The last chunk key and its bytes: a bitmap's chunks share one key, serialized once and shared. */
    private ChunkKey lastKey;
    private byte[] lastKeyBytes;

    /** Where each bitmap's chunks go (its identity's partition), or null: Kafka's default partitioner. */
    private ChunkPartitions partitions;

    public MigrationRecords(MigrationPlan plan, Topics topics, RecordSerializers serializers, String sourceId) {
        this.plan = plan;
        this.topics = topics;
        this.chunksTopic = topics.chunks();
        this.serializers = serializers;
        this.sourceId = sourceId;
    }

    /**
     * Sends every bitmap's chunks to the partition of its destination identity on a chunks topic of
     * {@code chunkPartitions} partitions (DESIGN.md section 12); without it, Kafka picks by key.
     */
    public MigrationRecords partitioned(int chunkPartitions) {
        this.partitions = new ChunkPartitions(plan.spec(), chunkPartitions);
        return this;
    }

    public MigrationPlan plan() {
        return plan;
    }

    /** Records in all: the spec and every chunk. */
    public long size() {
        return 1 + plan.chunks().size();
    }

    /** Position of the next record. */
    public long position() {
        return position;
    }

    /** Bits of all bitmaps (the pending estimate before sending). */
    public long totalBits() {
        return plan.chunks().totalBits();
    }

    /** QEMU's pending estimate now. */
    public long pendingBits() {
        return plan.chunks().pendingBits();
    }

    @Override
    public boolean hasNext() {
        return position < size();
    }

    @Override
    public OutgoingRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException("migration " + plan.migrationId() + " has " + size() + " records");
        }
        long at = position++;
        if (at == 0) {
            String topic = topics.migrations();
            return new OutgoingRecord(0, topic, null, serializers.specKey(plan.migrationId()),
                    serializers.spec(topic, plan.spec()), null, plan.chunks().pendingBits());
        }
        SequencedChunk c = plan.chunks().next();
        String topic = chunksTopic;
        ChunkValue value = ChunkRecords.toAvro(c.chunk(), c.sequence(), sourceId);
        return new OutgoingRecord(at, topic, partitionOf(c.chunk()), keyBytes(topic, c.chunk()),
                serializers.chunkValue(topic, value), c.chunk(), c.pendingBits());
    }

    private Integer partitionOf(Chunk chunk) {
        if (partitions == null) {
            return null;
        }
        ChunkKey key = ChunkRecords.keyOf(plan.migrationId(), chunk);
        // migration-level records (EndOfStream, switchover) have no bitmap: they go by key
        return key.getNodeAlias().isEmpty() ? null : partitions.of(key.getNodeAlias(), key.getBitmapAlias());
    }

    private byte[] keyBytes(String topic, Chunk chunk) {
        ChunkKey key = ChunkRecords.keyOf(plan.migrationId(), chunk);
        if (!key.equals(lastKey)) {
            lastKeyBytes = serializers.chunkKey(topic, key);
            lastKey = key;
        }
        return lastKeyBytes;
    }

    /** Skips {@code n} records (already sent by an earlier run) without serializing them. */
    public void skip(long n) {
        if (n < 0 || n > size() - position) {
            throw new IllegalArgumentException("cannot skip " + n + " of the " + (size() - position) + " records left");
        }
        if (n == 0) {
            return;
        }
        long chunks = position == 0 ? n - 1 : n;
        plan.chunks().skip(chunks);
        position += n;
    }
}
