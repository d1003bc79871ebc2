package org.dbmstream.topology.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;

/**
 * Drops chunks a source delivered twice. Every chunk carries its source id and a sequence number per
 * chunk key (migration, node alias, bitmap alias); an at-least-once source (a Connect worker without
 * exactly-once, a producer retry across a restart) may send a chunk again with the same number. Applying
 * it again would not be harmless: a repeated START fails the migration ("already exists") and a repeated
 * COMPLETE or EndOfStream counts twice. So the last number seen per key and source is kept (in a
 * changelogged store, so a restarted instance still knows it) and anything not newer is dropped.
 * A different source id publishing the same key is a new publication and is judged by QEMU's rules.
 */
public final class SequenceCheck {
    /** What the check says about one chunk. */
    public enum Verdict {
        /** The next chunk of its key (or the first): apply it. */
        NEXT,
        /** Newer than expected: chunks in between never arrived. Applied, but worth a warning. */
        GAP,
        /** Not newer than the last one seen from this source: a redelivery, drop it. */
        DUPLICATE
    }

    private static final int CACHED = 4096;

    private final Keyspace store;
    /** The last number seen per key, as stored (write-through): a chunk costs no store read or decoding. */
    private final Map<ChunkKey, Last> last = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ChunkKey, Last> eldest) {
            return size() > CACHED;
        }
    };

    /** Create one whenever the task (re)initializes: the memory is only as good as the store below it. */
    public SequenceCheck(Keyspace store) {
        this.store = store;
    }

    /**
     * Judges the chunk numbered {@code sequence} from {@code sourceId} under its key and, unless it is a
     * duplicate, remembers it. A negative sequence (a record without one) is always applied.
     */
    public Verdict check(String migration, String nodeAlias, String bitmapAlias, String sourceId, long sequence) {
        if (sequence < 0) {
            return Verdict.NEXT;
        }
        ChunkKey chunkKey = new ChunkKey(migration, nodeAlias, bitmapAlias);
        Last seen = last.get(chunkKey);
        if (seen == null) {
            seen = Last.read(key(migration, nodeAlias, bitmapAlias), store);
        }
        Verdict verdict = Verdict.NEXT;
        if (seen.source != null) {
            if (seen.source.equals(sourceId)) {
                if (sequence <= seen.sequence) {
                    return Verdict.DUPLICATE;
                }
                verdict = sequence == seen.sequence + 1 ? Verdict.NEXT : Verdict.GAP;
            }
        } else if (sequence != 0) {
            verdict = Verdict.GAP;
        }
        byte[] source = seen.source != null && seen.source.equals(sourceId) ? seen.sourceBytes
                : sourceId.getBytes(StandardCharsets.UTF_8);
        store.put(seen.key, ByteBuffer.allocate(Long.BYTES + source.length).putLong(sequence).put(source).array());
        last.put(chunkKey, new Last(seen.key, sequence, sourceId, source));
        return verdict;
    }

    private record ChunkKey(String migration, String nodeAlias, String bitmapAlias) {
    }

    /** The last sequence and source stored under a key; source null: nothing stored yet. */
    private record Last(Bytes key, long sequence, String source, byte[] sourceBytes) {
        static Last read(Bytes key, Keyspace store) {
            byte[] v = store.get(key);
            if (v == null) {
                return new Last(key, -1, null, null);
            }
            long sequence = ByteBuffer.wrap(v).getLong();
            byte[] source = Arrays.copyOfRange(v, Long.BYTES, v.length);
            return new Last(key, sequence, new String(source, StandardCharsets.UTF_8), source);
        }
    }

    /** Length-prefixed parts, so no alias can forge another key. */
    static Bytes key(String migration, String nodeAlias, String bitmapAlias) {
        byte[] m = migration.getBytes(StandardCharsets.UTF_8);
        byte[] n = nodeAlias.getBytes(StandardCharsets.UTF_8);
        byte[] b = bitmapAlias.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(12 + m.length + n.length + b.length).putInt(m.length).put(m)
                .putInt(n.length).put(n).putInt(b.length).put(b).array());
    }
}
