package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.testkit.PostcopyFixture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A cancel during postcopy against QEMU 7.2's own result (fixture {@code cancel/pc6-cancel}): QEMU's stream
 * broke after the first bitmap's COMPLETE, QEMU's destination released the two unfinished bitmaps and kept
 * the completed one recording. Writes were made after the switchover, after that COMPLETE and after the
 * cancel; whichever order the destination processes them in, only the completed bitmap remains, with QEMU's
 * final sha256 and count.
 */
class PostcopyCancelTopologyTest {
    private static final PostcopyFixture PC6 = PostcopyFixture.load("cancel/pc6-cancel");
    private static final String MIGRATION = "pc6";

    /** The orders a partition may process the migration's records in (all published after the switchover). */
    enum Order {
        /** As QEMU saw them: W1, the remaining chunks, W2, the cancel, W3. */
        AS_QEMU,
        /** W1 and W2 before the remaining chunks (a write landing in the successor), then the cancel, W3. */
        WRITES_BEFORE_THE_REMAINING_CHUNKS,
        /** Every write only after the cancel. */
        WRITES_AFTER_THE_CANCEL,
        /** W1 before the switchover (held until it), W2 after the cancel. */
        HELD_THEN_AFTER_THE_CANCEL
    }

    @ParameterizedTest
    @EnumSource(Order.class)
    void theCompletedBitmapStaysWithQemusFinalValuesAndTheLoadingOnesAreReleased(Order order) throws Exception {
        Stream stream = Stream.read();
        Map<String, List<PostcopyFixture.Write>> w = phases();
        List<PostcopyFixture.Write> w1 = w.get("after-switchover");
        List<PostcopyFixture.Write> w2 = w.get("after-first-complete");
        List<PostcopyFixture.Write> w3 = w.get("after-cancel");
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec(MIGRATION, "vm1");
            d.chunks(MIGRATION, stream.beforeRun());
            switch (order) {
                case AS_QEMU -> {
                    d.chunk(MIGRATION, new Chunk.Switchover());
                    write(d, w1);
                    d.chunks(MIGRATION, stream.afterRun());
                    write(d, w2);
                    d.sourceCancel(MIGRATION, "vm1", "stream broken");
                    write(d, w3);
                }
                case WRITES_BEFORE_THE_REMAINING_CHUNKS -> {
                    d.chunk(MIGRATION, new Chunk.Switchover());
                    write(d, w1);
                    write(d, w2);
                    d.chunks(MIGRATION, stream.afterRun());
                    d.sourceCancel(MIGRATION, "vm1", "stream broken");
                    write(d, w3);
                }
                case WRITES_AFTER_THE_CANCEL -> {
                    d.chunk(MIGRATION, new Chunk.Switchover());
                    d.chunks(MIGRATION, stream.afterRun());
                    d.sourceCancel(MIGRATION, "vm1", "stream broken");
                    write(d, w1);
                    write(d, w2);
                    write(d, w3);
                }
                case HELD_THEN_AFTER_THE_CANCEL -> {
                    write(d, w1);
                    d.chunk(MIGRATION, new Chunk.Switchover());
                    d.chunks(MIGRATION, stream.afterRun());
                    d.sourceCancel(MIGRATION, "vm1", "stream broken");
                    write(d, w2);
                    write(d, w3);
                }
                default -> throw new IllegalStateException(order.name());
            }
            List<Event> events = d.events();
            List<String> completed = PC6.destination().stream().map(PostcopyFixture.Bitmap::name).toList();
            List<String> released = PC6.source().stream().map(PostcopyFixture.Bitmap::name)
                    .filter(n -> !completed.contains(n)).toList();

            assertThat(PostcopyChunks.finalStates(events)).isEqualTo(PostcopyChunks.expected(PC6));
            assertThat(EventsView.of(events, BitmapCompleted.class)).extracting(Event::getBitmap)
                    .containsExactlyElementsOf(completed);
            assertThat(EventsView.of(events, BitmapCancelled.class)).extracting(Event::getBitmap)
                    .containsExactlyInAnyOrderElementsOf(released);
            assertThat(EventsView.types(events)).containsOnlyOnce("SwitchedOver", "MigrationCancelled");
            List<String> held = new ArrayList<>();
            d.stored().forEachBitmap("vm1", s -> held.add(s.state().names().bitmap()));
            assertThat(held).as("bitmaps on the destination, as on QEMU's").containsExactlyElementsOf(completed);
            assertThat(d.metric("dropped-writes-total")).as("the completed bitmap records every write").isZero();
        }
    }

    private static void write(DestinationDriver d, List<PostcopyFixture.Write> writes) {
        writes.forEach(x -> d.write(MIGRATION, "vm1", x.node(), x.offset(), x.length()));
    }

    /** The fixture's writes by the phase its comment lines name. */
    private static Map<String, List<PostcopyFixture.Write>> phases() throws Exception {
        Map<String, List<PostcopyFixture.Write>> out = new LinkedHashMap<>();
        List<PostcopyFixture.Write> current = null;
        for (String line : Files.readAllLines(PC6.writesFile())) {
            String[] f = line.replace("#", " ").trim().split("\\s+");
            if (line.startsWith("#") && f.length == 1) {
                current = out.computeIfAbsent(f[0], k -> new ArrayList<>());
            } else if (!line.startsWith("#") && f.length == 3) {
                current.add(new PostcopyFixture.Write(f[0], Long.parseLong(f[1]), Long.parseLong(f[2])));
            }
        }
        assertThat(out).containsOnlyKeys("after-switchover", "after-first-complete", "after-cancel");
        return out;
    }

    /** The chunks QEMU's destination got before the cut, split at the RUN command (the switchover). */
    private record Stream(List<Chunk> beforeRun, List<Chunk> afterRun) {
        static Stream read() throws Exception {
            List<Chunk> all = new ArrayList<>();
            ChunkNames names = new ChunkNames();
            long run;
            try (SavevmReader reader = SavevmReader.open(PC6.stream())) {
                try {
                    for (SavevmChunk c = reader.next(); c != null; c = reader.next()) {
                        all.add(names.resolve(c.wire(), c.offset()));
                    }
                    throw new AssertionError("pc6-cancel's stream should end cut, mid-migration");
                } catch (SavevmFormatException | ChunkFormatException expected) {
                    assertThat(expected).hasMessageContaining("truncated");
                }
                run = reader.switchoverAfter();
            }
            assertThat(run).as("the RUN command").isPositive();
            assertThat(all.get(all.size() - 1)).as("the cut: right after the first COMPLETE")
                    .isInstanceOf(Chunk.Complete.class);
            return new Stream(all.subList(0, (int) run), all.subList((int) run, all.size()));
        }
    }
}
