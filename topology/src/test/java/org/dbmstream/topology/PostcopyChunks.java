package org.dbmstream.topology;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.ChunkCoalescer;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.dbmstream.bitmap.mapping.BlockBitmapMapping;
import org.dbmstream.codec.ChunkNames;
import org.dbmstream.codec.savevm.SavevmChunk;
import org.dbmstream.codec.savevm.SavevmReader;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapUpdated;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.NodeMapping;
import org.dbmstream.testkit.PostcopyFixture;

/**
 * A real QEMU postcopy stream as the source publishes it: its chunks in order, a switchover where the
 * stream's RUN command is (at the end of a precopy stream), the last EOS with the manifest of the STARTed
 * bitmaps.
 */
public record PostcopyChunks(List<Chunk> beforeRun, List<Chunk> afterRun) {

    /** The stream's BITS joined up to {@code width} on each side of the RUN command, as the source republishes them. */
    public static PostcopyChunks of(PostcopyFixture fixture, ChunkSize width) throws Exception {
        PostcopyChunks qemu = of(fixture);
        return new PostcopyChunks(ChunkCoalescer.join(qemu.beforeRun(), width),
                ChunkCoalescer.join(qemu.afterRun(), width));
    }

    public static PostcopyChunks of(PostcopyFixture fixture) throws Exception {
        List<Chunk> all = new ArrayList<>();
        List<Chunk.BitmapRef> manifest = new ArrayList<>();
        ChunkNames names = new ChunkNames();
        long run;
        try (SavevmReader reader = SavevmReader.open(fixture.stream())) {
            for (SavevmChunk c = reader.next(); c != null; c = reader.next()) {
                Chunk chunk = names.resolve(c.wire(), c.offset());
                if (chunk instanceof Chunk.Start s) {
                    manifest.add(new Chunk.BitmapRef(s.nodeAlias(), s.bitmapAlias()));
                }
                all.add(chunk);
            }
            run = reader.switchoverAfter();
        }
        all.set(all.size() - 1, new Chunk.EndOfStream(manifest));
        int at = run < 0 ? all.size() : (int) run;
        return new PostcopyChunks(all.subList(0, at), all.subList(at, all.size()));
    }

    /** The fixture's block-bitmap-mapping as the migration spec carries it, null when it has none. */
    public static List<NodeMapping> mapping(PostcopyFixture fixture) {
        return fixture.mappingJson() == null ? null
                : DestinationDriver.avro(BlockBitmapMapping.fromJson(fixture.mappingJson()));
    }

    /** Each bitmap's final sha256 and count: its BitmapCompleted, then any BitmapUpdated after it. */
    public static Map<String, List<Object>> finalStates(List<Event> events) {
        Map<String, List<Object>> out = new HashMap<>();
        for (Event e : events) {
            if (e.getBody() instanceof BitmapCompleted c) {
                out.put(e.getBitmap(), List.of(c.getSha256(), c.getCount()));
            } else if (e.getBody() instanceof BitmapUpdated u) {
                out.put(e.getBitmap(), List.of(u.getSha256(), u.getCount()));
            }
        }
        return out;
    }

    /** QEMU's final sha256 and count of every bitmap on the destination. */
    public static Map<String, List<Object>> expected(PostcopyFixture fixture) {
        Map<String, List<Object>> out = new HashMap<>();
        fixture.destination().forEach(b -> out.put(b.name(), List.of(b.sha256(), b.count())));
        return out;
    }
}
