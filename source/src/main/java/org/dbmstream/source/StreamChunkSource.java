package org.dbmstream.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.dbmstream.bitmap.QemuConstants;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.ChunkFormatException;
import org.dbmstream.codec.ChunkNames;
import org.dbmstream.codec.savevm.SavevmChunk;
import org.dbmstream.codec.savevm.SavevmReader;

/**
 * The dirty-bitmap chunks of a QEMU migration stream file, re-published as they are with names
 * resolved. A first pass learns the manifest (the bitmaps STARTed), the chunk count and the bits to
 * send; the second pass streams the chunks, holding one at a time. The stream's last EndOfStream
 * carries the manifest. START chunks carry the disk size: {@code diskSize} when it is given, else the size
 * QEMU's stream implies (it has no field for it) as {@code dbm inspect} reads it, the end of the node's
 * furthest BITS chunk: QEMU's bulk phase sends every range of a bitmap up to the end of its disk, the last
 * chunk shorter. That end is trusted only for nodes with a completed bitmap (whose chunks are all there);
 * START of other nodes' bitmaps (a stream cut short) carries -1, unknown. Runs of EndOfStream markers are coalesced into their first: QEMU writes one per
 * iteration, and its empty iterations (an EOS right after an EOS) carry nothing, so a stream of a long
 * migration would otherwise fill the topic with them (mig1.stream.gz has 81,688 EOS for 6 bitmaps). Every
 * batch of chunks still ends with an EOS, so a stream written back out from the topic is one QEMU reads.
 */
public final class StreamChunkSource implements ChunkSource {
    private final Path file;
    private final long diskSize;
    /** Disk sizes by node alias, given or implied; a node without one is of unknown size (-1). */
    private final Map<String, Long> nodeSizes;
    private final List<PublishedBitmap> bitmaps;
    private final List<Chunk.BitmapRef> manifest;
    private final long size;
    private final long totalBits;
    private final Map<Chunk.BitmapRef, Long> granularities = new HashMap<>();
    private final Map<Chunk.BitmapRef, Long> sequences = new HashMap<>();
    private final ChunkNames names = new ChunkNames();
    private SavevmReader reader;
    private final Scan scan;
    private long position;
    private long pending;
    private boolean lastWasEos;

    private StreamChunkSource(Path file, long diskSize, Scan scan) throws IOException {
        this.file = file;
        this.diskSize = diskSize;
        this.nodeSizes = scan.nodeSizes;
        this.bitmaps = scan.bitmaps;
        this.manifest = bitmaps.stream().map(b -> new Chunk.BitmapRef(b.nodeAlias(), b.bitmapAlias())).toList();
        bitmaps.forEach(b -> granularities.put(new Chunk.BitmapRef(b.nodeAlias(), b.bitmapAlias()), b.granularity()));
        this.size = scan.chunks;
        this.totalBits = scan.bits;
        this.pending = scan.bits;
        this.reader = SavevmReader.open(file);
        this.scan = scan;
    }

    /** Scans {@code file} and opens it for streaming; {@code diskSize} -1 when unknown. */
    public static StreamChunkSource open(Path file, long diskSize) throws IOException {
        Scan scan = scan(file);
        if (scan.chunks == 0) {
            throw new IllegalArgumentException("QEMU migration stream " + file + " has no dirty-bitmap chunks"
                    + " (was the dirty-bitmaps capability on?)");
        }
        return new StreamChunkSource(file, diskSize, scan);
    }

    /**
     * @param switchoverAt  chunks published before the stream's RUN command (-1: none, a precopy stream)
     * @param eosBeforeRun  EndOfStream chunks before the RUN command
     */
    private record Scan(List<PublishedBitmap> bitmaps, long chunks, long bits, long switchoverAt,
            long eosBeforeRun, Map<String, Long> nodeSizes) {
    }

    /** Where the stream's RUN command is: the number of chunks before it, -1 for a precopy stream. */
    public long switchoverAt() {
        return scan.switchoverAt;
    }

    /**
     * The number of EndOfStream chunks before the RUN command (the switchover's sequence number); all of
     * them for a precopy stream.
     */
    public long eosBeforeSwitchover() {
        return scan.eosBeforeRun;
    }


    private static Scan scan(Path file) throws IOException {
        Map<Chunk.BitmapRef, PublishedBitmap> started = new LinkedHashMap<>();
        Map<Chunk.BitmapRef, Long> grans = new HashMap<>();
        Map<String, Long> nodeEnds = new HashMap<>();
        Map<String, Long> nodeSizes = new HashMap<>();
        ChunkNames names = new ChunkNames();
        long chunks = 0;
        long bits = 0;
        boolean endsWithEos = false;
        long eos = 0;
        long eosBeforeRun = -1;
        long run = -1;
        try (SavevmReader r = SavevmReader.open(file)) {
            for (SavevmChunk c = r.next(); c != null; c = r.next()) {
                Chunk chunk = names.resolve(c.wire(), c.offset());
                if (r.switchoverAfter() >= 0 && run < 0) {
                    // RUN was read just before this chunk: the switchover goes before it
                    run = chunks;
                    eosBeforeRun = eos;
                }
                boolean isEos = chunk instanceof Chunk.EndOfStream;
                if (!(isEos && endsWithEos)) {
                    // runs of EndOfStream are published as one
                    chunks++;
                    if (isEos) {
                        eos++;
                    }
                }
                endsWithEos = isEos;
                if (chunk instanceof Chunk.Start s) {
                    var ref = new Chunk.BitmapRef(s.nodeAlias(), s.bitmapAlias());
                    started.putIfAbsent(ref, new PublishedBitmap(s.nodeAlias(), s.nodeAlias(), s.bitmapAlias(),
                            s.bitmapAlias(), s.granularity().bytes(), -1, s.enabled(), s.persistent()));
                    grans.put(ref, s.granularity().bytes());
                } else if (chunk instanceof Chunk.Bits b) {
                    bits += bitsOf(b, grans.get(new Chunk.BitmapRef(b.nodeAlias(), b.bitmapAlias())));
                    nodeEnds.merge(b.nodeAlias(), endOf(b), Math::max);
                } else if (chunk instanceof Chunk.Complete done) {
                    // the bitmap's chunks are all there: its last one ended at the disk's end
                    nodeSizes.put(done.nodeAlias(), 0L);
                }
            }
            if (r.switchoverAfter() >= 0 && run < 0) {
                run = chunks;
            }
            if (eosBeforeRun < 0) {
                eosBeforeRun = eos;
            }
        } catch (ChunkFormatException e) {
            throw new IOException("QEMU migration stream " + file + ": " + e.getMessage(), e);
        }
        if (chunks > 0 && !endsWithEos) {
            throw new IOException("QEMU migration stream " + file + " does not end its dirty-bitmap chunks with EOS");
        }
        nodeSizes.replaceAll((node, none) -> nodeEnds.getOrDefault(node, -1L));
        return new Scan(new ArrayList<>(started.values()), chunks, bits, run, eosBeforeRun, nodeSizes);
    }

    /** The byte after the range a BITS chunk covers; -1 when it overflows (the destination refuses it). */
    private static long endOf(Chunk.Bits b) {
        long sectors = b.firstSector() + b.sectors();
        return sectors < 0 || sectors > Long.MAX_VALUE >>> QemuConstants.SECTOR_BITS ? -1
                : sectors << QemuConstants.SECTOR_BITS;
    }

    /** The size of node {@code nodeAlias}'s disk: given, implied by the stream, or -1 (unknown). */
    private long sizeOf(String nodeAlias) {
        return diskSize >= 0 ? diskSize : nodeSizes.getOrDefault(nodeAlias, -1L);
    }

    /** Bits a BITS chunk covers, as QEMU's estimate counts them; 0 for a bitmap never STARTed. */
    private static long bitsOf(Chunk.Bits b, Long granularity) {
        if (granularity == null) {
            return 0;
        }
        return ((b.sectors() << QemuConstants.SECTOR_BITS) + granularity - 1) / granularity;
    }

    @Override
    public List<Chunk.BitmapRef> manifest() {
        return manifest;
    }

    @Override
    public List<PublishedBitmap> bitmaps() {
        return bitmaps.stream().map(b -> new PublishedBitmap(b.nodeName(), b.nodeAlias(), b.bitmapName(),
                b.bitmapAlias(), b.granularity(), sizeOf(b.nodeAlias()), b.enabled(), b.persistent())).toList();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long totalBits() {
        return totalBits;
    }

    @Override
    public long pendingBits() {
        return pending;
    }

    @Override
    public boolean hasNext() {
        return position < size;
    }

    @Override
    public SequencedChunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException("stream " + file + " has " + size + " chunks");
        }
        try {
            Chunk chunk;
            do {
                SavevmChunk c = reader.next();
                if (c == null) {
                    throw new IllegalStateException("QEMU migration stream " + file + " changed while being published");
                }
                chunk = names.resolve(c.wire(), c.offset());
            } while (chunk instanceof Chunk.EndOfStream && lastWasEos);
            lastWasEos = chunk instanceof Chunk.EndOfStream;
            position++;
            Chunk.BitmapRef key;
            if (chunk instanceof Chunk.Start s) {
                key = new Chunk.BitmapRef(s.nodeAlias(), s.bitmapAlias());
                long known = sizeOf(s.nodeAlias());
                if (known >= 0) {
                    chunk = new Chunk.Start(s.nodeAlias(), s.bitmapAlias(), s.granularity(), s.flags(), known);
                }
            } else if (chunk instanceof Chunk.Bits b) {
                key = new Chunk.BitmapRef(b.nodeAlias(), b.bitmapAlias());
                pending -= bitsOf(b, granularities.get(key));
            } else if (chunk instanceof Chunk.Complete cp) {
                key = new Chunk.BitmapRef(cp.nodeAlias(), cp.bitmapAlias());
            } else {
                key = new Chunk.BitmapRef("", "");
                if (position == size) {
                    chunk = new Chunk.EndOfStream(manifest);
                }
            }
            long seq = sequences.merge(key, 1L, Long::sum) - 1;
            return new SequencedChunk(chunk, seq, pending);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read QEMU migration stream " + file, e);
        }
    }

    @Override
    public void skip(long n) {
        if (n < 0 || n > size - position) {
            throw new IllegalArgumentException("cannot skip " + n + " of the " + (size - position) + " chunks left");
        }
        for (long i = 0; i < n; i++) {
            next();
        }
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
