package org.dbmstream.serdes;

import java.nio.ByteBuffer;
import java.util.List;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.Bits;
import org.dbmstream.schemas.ChunkKey;
import org.dbmstream.schemas.ChunkValue;
import org.dbmstream.schemas.Complete;
import org.dbmstream.schemas.EndOfStream;
import org.dbmstream.schemas.ManifestEntry;
import org.dbmstream.schemas.Start;
import org.dbmstream.schemas.StartVersion;

/**
 * Converts between the domain {@link Chunk} and the Avro records of the chunks topic. The raw
 * START flags byte travels as is (reserved bits included) so the destination can refuse it exactly
 * as QEMU does; an EndOfStream concerns the whole migration and is keyed with empty aliases, and so does
 * the switchover, an EndOfStream flagged {@code switchover}.
 */
public final class ChunkRecords {
    private ChunkRecords() {
    }

    /** The chunks-topic key of {@code chunk} in {@code migration}. */
    public static ChunkKey keyOf(String migration, Chunk chunk) {
        if (chunk instanceof Chunk.Start s) {
            return new ChunkKey(migration, s.nodeAlias(), s.bitmapAlias());
        }
        if (chunk instanceof Chunk.Bits b) {
            return new ChunkKey(migration, b.nodeAlias(), b.bitmapAlias());
        }
        if (chunk instanceof Chunk.Complete c) {
            return new ChunkKey(migration, c.nodeAlias(), c.bitmapAlias());
        }
        return new ChunkKey(migration, "", "");
    }

    /** The chunks-topic value of {@code chunk}, with its per-key sequence number and source id. */
    public static ChunkValue toAvro(Chunk chunk, long sequence, String sourceId) {
        return new ChunkValue(sequence, sourceId, bodyOf(chunk));
    }

    private static Object bodyOf(Chunk chunk) {
        if (chunk instanceof Chunk.Start s) {
            Chunk.Version v = s.version();
            return new Start(s.granularity().bytes(), s.enabled(), s.persistent(), s.flags(), s.diskSize(),
                    s.readTime(), v == null ? null : new StartVersion(v.base(), v.sha256(), v.count(), v.remove()));
        }
        if (chunk instanceof Chunk.Bits b) {
            return new Bits(b.firstSector(), b.sectors(), b.zeroes(), b.zeroes() ? null : ByteBuffer.wrap(b.payload()));
        }
        if (chunk instanceof Chunk.Complete) {
            return new Complete();
        }
        if (chunk instanceof Chunk.Switchover) {
            // an EndOfStream flagged as the switchover: older readers see an empty batch end (schema v2)
            return new EndOfStream(List.of(), true);
        }
        Chunk.EndOfStream e = (Chunk.EndOfStream) chunk;
        return new EndOfStream(e.manifest().stream().map(r -> new ManifestEntry(r.nodeAlias(), r.bitmapAlias()))
                .toList(), false);
    }

    /**
     * The domain chunk of a chunks-topic record.
     *
     * @throws IllegalArgumentException if the record is inconsistent (flags disagreeing with the
     *     enabled/persistent booleans, a ZEROES chunk with a payload, a BITS chunk without one, a
     *     granularity QEMU would not accept)
     */
    public static Chunk toChunk(ChunkKey key, ChunkValue value) {
        String node = key.getNodeAlias();
        String bitmap = key.getBitmapAlias();
        Object body = value.getBody();
        if (body instanceof Start s) {
            int flags = s.getFlags();
            if (((flags & Chunk.FLAG_ENABLED) != 0) != s.getEnabled()
                    || ((flags & Chunk.FLAG_PERSISTENT) != 0) != s.getPersistent()) {
                throw new IllegalArgumentException(where(key) + ": Start flags 0x" + Integer.toHexString(flags)
                        + " disagree with enabled=" + s.getEnabled() + " persistent=" + s.getPersistent());
            }
            StartVersion v = s.getVersion();
            if (v != null && (flags & Chunk.FLAG_VERSIONED) == 0) {
                throw new IllegalArgumentException(where(key) + ": a Start with a version record must set flag 0x80 "
                        + "(flags are 0x" + Integer.toHexString(flags) + ")");
            }
            return new Chunk.Start(node, bitmap, Granularity.of(s.getGranularity()), flags, s.getDiskSize(),
                    s.getReadTime(), v == null ? null
                            : new Chunk.Version(v.getBase(), v.getSha256(), v.getCount(), v.getRemove()));
        }
        if (body instanceof Bits b) {
            ByteBuffer payload = b.getPayload();
            if (b.getZeroes() != (payload == null)) {
                throw new IllegalArgumentException(where(key) + ": Bits zeroes=" + b.getZeroes() + " but payload "
                        + (payload == null ? "absent" : "of " + payload.remaining() + " bytes"));
            }
            return new Chunk.Bits(node, bitmap, b.getFirstSector(), b.getSectors(), payload == null ? null
                    : bytesOf(payload));
        }
        if (body instanceof Complete) {
            return new Chunk.Complete(node, bitmap);
        }
        if (body instanceof EndOfStream e && e.getSwitchover()) {
            if (!e.getManifest().isEmpty()) {
                throw new IllegalArgumentException(where(key) + ": a switchover carries no manifest");
            }
            return new Chunk.Switchover();
        }
        if (body instanceof EndOfStream e) {
            List<Chunk.BitmapRef> manifest = e.getManifest().stream()
                    .map(m -> new Chunk.BitmapRef(m.getNodeAlias(), m.getBitmapAlias())).toList();
            return new Chunk.EndOfStream(manifest);
        }
        throw new IllegalArgumentException(where(key) + ": unknown chunk body "
                + (body == null ? "null" : body.getClass().getName()));
    }

    private static byte[] bytesOf(ByteBuffer buf) {
        // Avro decodes a bytes field into a buffer of its own (nothing reuses it): take its array instead of
        // copying up to 8 KiB per chunk (a tenth of the stream thread's samples with wide chunks)
        if (buf.hasArray() && buf.arrayOffset() == 0 && buf.position() == 0 && buf.remaining() == buf.array().length) {
            return buf.array();
        }
        ByteBuffer dup = buf.duplicate();
        byte[] bytes = new byte[dup.remaining()];
        dup.get(bytes);
        return bytes;
    }

    private static String where(ChunkKey key) {
        return "chunk of migration '" + key.getMigration() + "' node alias '" + key.getNodeAlias()
                + "' bitmap alias '" + key.getBitmapAlias() + "'";
    }
}
