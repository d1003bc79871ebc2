package org.dbmstream.topology.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.ChunkFormatException;
import org.dbmstream.codec.ChunkNames;
import org.dbmstream.codec.savevm.SavevmChunk;
import org.dbmstream.codec.savevm.SavevmReader;

/**
 * The dirty-bitmap chunks of a real QEMU migration stream in {@code testdata/qemu/streams}, exactly as
 * QEMU sent them (BITS buffers untouched). Two things the Kafka mapping adds and QEMU's wire lacks are
 * filled in: the disk size on START (QEMU knows it from its own node) and the manifest on the final
 * EndOfStream (the bitmaps the stream STARTed).
 */
public final class QemuStreamChunks {

    private QemuStreamChunks() {
    }

    public static List<Chunk> read(String streamFile, long diskSize) {
        Path file = QemuExpected.dir().resolve("streams").resolve(streamFile);
        List<Chunk> chunks = new ArrayList<>();
        ChunkNames names = new ChunkNames();
        try (SavevmReader reader = SavevmReader.open(file)) {
            for (SavevmChunk c = reader.next(); c != null; c = reader.next()) {
                chunks.add(names.resolve(c.wire(), c.offset()));
            }
        } catch (ChunkFormatException e) {
            throw new IllegalStateException("QEMU stream " + file + " does not decode", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Chunk.BitmapRef> manifest = new ArrayList<>();
        List<Chunk> out = new ArrayList<>(chunks.size());
        for (Chunk c : chunks) {
            if (c instanceof Chunk.Start s) {
                manifest.add(new Chunk.BitmapRef(s.nodeAlias(), s.bitmapAlias()));
                out.add(new Chunk.Start(s.nodeAlias(), s.bitmapAlias(), s.granularity(), s.flags(), diskSize));
            } else {
                out.add(c);
            }
        }
        if (!(out.get(out.size() - 1) instanceof Chunk.EndOfStream)) {
            throw new IllegalStateException("QEMU stream " + file + " does not end with EOS");
        }
        out.set(out.size() - 1, new Chunk.EndOfStream(manifest));
        return out;
    }
}
