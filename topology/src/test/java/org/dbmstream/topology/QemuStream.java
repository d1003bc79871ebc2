package org.dbmstream.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.ChunkNames;
import org.dbmstream.codec.savevm.SavevmChunk;
import org.dbmstream.codec.savevm.SavevmReader;

/**
 * QEMU's ground truth in {@code testdata/qemu}: the chunks of the real stream mig1 (decoded by the
 * codec, the last EOS given the manifest of the STARTed bitmaps, which QEMU's wire lacks) and the state
 * QEMU's destination reached.
 */
final class QemuStream {
    private QemuStream() {
    }

    static Path dir() {
        return org.dbmstream.testkit.QemuTestData.dir();
    }

    static List<Chunk> mig1Chunks() throws Exception {
        List<Chunk> out = new ArrayList<>();
        List<Chunk.BitmapRef> manifest = new ArrayList<>();
        ChunkNames names = new ChunkNames();
        try (SavevmReader reader = SavevmReader.open(dir().resolve("streams/mig1-min.stream"))) {
            for (SavevmChunk c = reader.next(); c != null; c = reader.next()) {
                Chunk chunk = names.resolve(c.wire(), c.offset());
                if (chunk instanceof Chunk.Start s) {
                    manifest.add(new Chunk.BitmapRef(s.nodeAlias(), s.bitmapAlias()));
                }
                out.add(chunk);
            }
        }
        out.set(out.size() - 1, new Chunk.EndOfStream(manifest));
        return out;
    }

    static List<JsonNode> expected() {
        return org.dbmstream.testkit.QemuTestData.jsonl("expected/streams-sha256.jsonl");
    }
}
