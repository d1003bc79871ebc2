package org.dbmstream.bitmap.chunk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.QemuConstants;

/**
 * Joins consecutive BITS/ZEROES chunks of one bitmap into chunks of up to a wider {@link ChunkSize}, as if
 * the sender had cut them that wide: a stream QEMU wrote (1 KiB chunks) republished on Kafka with fewer
 * records. Two chunks join only when the second starts where the first ends and the first ends on a
 * 64-bit word of the bitmap (QEMU's chunks do, except a bitmap's last); the joined buffer is their
 * serialized bits end to end, padded to 32 bytes as QEMU pads; an all-zero result is a ZEROES chunk.
 * Anything else (START, COMPLETE, EOS, another bitmap, a gap, a chunk of unknown granularity or of a
 * shape QEMU's sender never makes) ends the chunk being joined and passes unchanged, so the loader sees
 * every odd chunk exactly as it was written and judges it by QEMU's rules.
 */
public final class ChunkCoalescer {
    private final ChunkSize width;
    private final Map<Chunk.BitmapRef, Granularity> granularities = new HashMap<>();
    private Joined pending;

    public ChunkCoalescer(ChunkSize width) {
        this.width = width;
    }

    /** All of {@code chunks} joined up to {@code width}, as one stream (nothing held back at the end). */
    public static List<Chunk> join(List<? extends Chunk> chunks, ChunkSize width) {
        ChunkCoalescer joiner = new ChunkCoalescer(width);
        List<Chunk> out = new ArrayList<>(chunks.size());
        chunks.forEach(c -> out.addAll(joiner.accept(c)));
        out.addAll(joiner.finish());
        return out;
    }

    /** Takes the stream's next chunk; returns the chunks ready to go on, in order (none, one or two). */
    public List<Chunk> accept(Chunk chunk) {
        List<Chunk> out = new ArrayList<>(2);
        if (chunk instanceof Chunk.Start s) {
            granularities.put(new Chunk.BitmapRef(s.nodeAlias(), s.bitmapAlias()), s.granularity());
        }
        Piece piece = width.isQemu() || !(chunk instanceof Chunk.Bits b) ? null : piece(b);
        if (piece == null) {
            flush(out);
            out.add(chunk);
            return out;
        }
        if (pending == null || !pending.takes(piece)) {
            flush(out);
            pending = new Joined(piece);
        } else {
            pending.add(piece);
        }
        if (pending.serialized == width.bytes()) {
            flush(out);
        }
        return out;
    }

    /** The chunk still being joined, if any: call at the end of the stream, or where nothing may join across. */
    public List<Chunk> finish() {
        List<Chunk> out = new ArrayList<>(1);
        flush(out);
        return out;
    }

    private void flush(List<Chunk> out) {
        if (pending != null) {
            out.add(pending.chunk());
            pending = null;
        }
    }

    /** The chunk as a piece to join, or null when it is not one QEMU's sender makes (it passes as it is). */
    private Piece piece(Chunk.Bits b) {
        Chunk.BitmapRef ref = new Chunk.BitmapRef(b.nodeAlias(), b.bitmapAlias());
        Granularity g = granularities.get(ref);
        if (g == null || b.sectors() == 0) {
            return null;
        }
        long firstByte = b.firstSector() << QemuConstants.SECTOR_BITS;
        long lastByte = firstByte + (b.sectors() << QemuConstants.SECTOR_BITS) - 1;
        long firstBit = firstByte >>> g.shift();
        long bits = (lastByte >>> g.shift()) - firstBit + 1;
        if ((firstBit & 63) != 0 || (firstByte & (g.bytes() - 1)) != 0) {
            return null;
        }
        long serialized = DirtyBitmap.serializationSize(firstBit, bits);
        if (serialized > width.bytes() || !b.zeroes()
                && b.payload().length != QemuConstants.alignUp(serialized, QemuConstants.BUFFER_ALIGN)) {
            return null;
        }
        boolean endsOnWord = (bits & 63) == 0 && ((lastByte + 1) & (g.bytes() - 1)) == 0;
        return new Piece(ref, b.firstSector(), b.sectors(), (int) serialized, b.payload(), endsOnWord);
    }

    /** One chunk's contribution: its range, serialized bytes (payload without padding, null for zeros). */
    private record Piece(Chunk.BitmapRef ref, long firstSector, long sectors, int serialized, byte[] payload,
            boolean endsOnWord) {
    }

    /** The wide chunk being built. */
    private final class Joined {
        final Chunk.BitmapRef ref;
        final long firstSector;
        long sectors;
        int serialized;
        boolean endsOnWord;
        byte[] bytes;

        Joined(Piece p) {
            ref = p.ref();
            firstSector = p.firstSector();
            add(p);
        }

        boolean takes(Piece p) {
            return endsOnWord && p.ref().equals(ref) && p.firstSector() == firstSector + sectors
                    && serialized + p.serialized() <= width.bytes()
                    && sectors + p.sectors() <= ChunkLayout.MAX_CHUNK_SECTORS;
        }

        void add(Piece p) {
            if (p.payload() != null) {
                if (bytes == null) {
                    bytes = new byte[width.bytes()];
                }
                System.arraycopy(p.payload(), 0, bytes, serialized, p.serialized());
            }
            sectors += p.sectors();
            serialized += p.serialized();
            endsOnWord = p.endsOnWord();
        }

        Chunk.Bits chunk() {
            byte[] payload = bytes == null ? null
                    : Arrays.copyOf(bytes, (int) QemuConstants.alignUp(serialized, QemuConstants.BUFFER_ALIGN));
            return new Chunk.Bits(ref.nodeAlias(), ref.bitmapAlias(), firstSector, sectors, payload);
        }
    }
}
