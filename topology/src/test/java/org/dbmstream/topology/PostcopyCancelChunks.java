package org.dbmstream.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.ChunkFormatException;
import org.dbmstream.codec.ChunkNames;
import org.dbmstream.codec.savevm.SavevmChunk;
import org.dbmstream.codec.savevm.SavevmFormatException;
import org.dbmstream.codec.savevm.SavevmReader;
import org.dbmstream.testkit.PostcopyFixture;

/**
 * The real QEMU postcopy stream of {@code cancel/pc6-cancel}, cut where QEMU's destination lost it (right
 * after the first COMPLETE): the chunks it got, split at the RUN command (the switchover), and the writes
 * made on QEMU's destination by phase ({@code after-switchover}, {@code after-first-complete},
 * {@code after-cancel}, as the comment lines of its writes.txt name them).
 */
public record PostcopyCancelChunks(List<Chunk> beforeRun, List<Chunk> afterRun,
        Map<String, List<PostcopyFixture.Write>> writes) {

    public static final String FIXTURE = "cancel/pc6-cancel";

    public static PostcopyCancelChunks of(PostcopyFixture fixture) throws IOException {
        List<Chunk> all = new ArrayList<>();
        ChunkNames names = new ChunkNames();
        long run;
        try (SavevmReader reader = SavevmReader.open(fixture.stream())) {
            try {
                for (SavevmChunk c = reader.next(); c != null; c = reader.next()) {
                    all.add(names.resolve(c.wire(), c.offset()));
                }
                throw new IllegalStateException(fixture.name() + ": the stream should end cut, mid-migration");
            } catch (SavevmFormatException | ChunkFormatException expected) {
                if (!expected.getMessage().contains("truncated")) {
                    throw expected;
                }
            }
            run = reader.switchoverAfter();
        }
        if (run <= 0 || !(all.get(all.size() - 1) instanceof Chunk.Complete)) {
            throw new IllegalStateException(fixture.name() + ": expected a RUN and a cut right after a COMPLETE");
        }
        return new PostcopyCancelChunks(all.subList(0, (int) run), all.subList((int) run, all.size()),
                phases(fixture));
    }

    private static Map<String, List<PostcopyFixture.Write>> phases(PostcopyFixture fixture) throws IOException {
        Map<String, List<PostcopyFixture.Write>> out = new LinkedHashMap<>();
        List<PostcopyFixture.Write> current = null;
        for (String line : Files.readAllLines(fixture.writesFile())) {
            String[] f = line.replace("#", " ").trim().split("\\s+");
            if (line.startsWith("#") && f.length == 1) {
                current = out.computeIfAbsent(f[0], k -> new ArrayList<>());
            } else if (!line.startsWith("#") && f.length == 3 && current != null) {
                current.add(new PostcopyFixture.Write(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])));
            }
        }
        if (!out.keySet().equals(java.util.Set.of("after-switchover", "after-first-complete", "after-cancel"))) {
            throw new IllegalStateException(fixture.name() + ": unexpected write phases " + out.keySet());
        }
        return out;
    }

    /** The bitmaps QEMU's destination kept (completed before the cut). */
    public static List<String> kept(PostcopyFixture fixture) {
        return fixture.destination().stream().map(PostcopyFixture.Bitmap::name).toList();
    }

    /** The bitmaps QEMU's destination released (still loading at the cut). */
    public static List<String> released(PostcopyFixture fixture) {
        List<String> kept = kept(fixture);
        return fixture.source().stream().map(PostcopyFixture.Bitmap::name).filter(n -> !kept.contains(n)).toList();
    }
}
