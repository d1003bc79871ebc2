package org.dbmstream.topology.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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

    private final Keyspace store;

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
        Bytes key = key(migration, nodeAlias, bitmapAlias);
        byte[] last = store.get(key);
        Verdict verdict = Verdict.NEXT;
        if (last != null) {
            ByteBuffer b = ByteBuffer.wrap(last);
            long lastSequence = b.getLong();
            String lastSource = new String(last, Long.BYTES, last.length - Long.BYTES, StandardCharsets.UTF_8);
            if (lastSource.equals(sourceId)) {
                if (sequence <= lastSequence) {
                    return Verdict.DUPLICATE;
                }
                verdict = sequence == lastSequence + 1 ? Verdict.NEXT : Verdict.GAP;
            }
        } else if (sequence != 0) {
            verdict = Verdict.GAP;
        }
        byte[] source = sourceId.getBytes(StandardCharsets.UTF_8);
        store.put(key, ByteBuffer.allocate(Long.BYTES + source.length).putLong(sequence).put(source).array());
        return verdict;
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
