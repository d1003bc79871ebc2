package org.dbmstream.bitmap.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.dbmstream.bitmap.QemuTestData;
import org.dbmstream.bitmap.QemuTestData.QemuBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.junit.jupiter.api.Test;

/**
 * Loads QEMU's migration mig1 (the bitmaps of {@code mig1-min.chunks.txt}, cut into chunks exactly as
 * QEMU's save side does) and checks the completed bitmaps against the state QEMU's own destination
 * reached ({@code expected/streams-sha256.jsonl}).
 */
class Mig1LoadTest {
    private static final long DISK = 64L << 20;

    @Test
    void completedBitmapsMatchQemusDestination() {
        List<MigrationBitmap> sent = new ArrayList<>();
        for (QemuBitmap b : QemuTestData.mig1FinalBitmaps()) {
            sent.add(Chunks.sent(b.node(), b.name(), b.enabled(), b.persistent(), b.rebuild(DISK)));
        }
        InMemoryLoadStore store = new InMemoryLoadStore();
        DestinationLoad load = new DestinationLoad(store, new InMemoryProgressStore());
        List<Chunk> chunks = Chunks.migration(sent.toArray(MigrationBitmap[]::new));
        List<LoadEvent> events = load.acceptAll(new Migration("mig1", "dst1", null, Map.of("disk0", DISK)), chunks);

        Map<String, LoadEvent.BitmapCompleted> completed = Chunks.of(events, LoadEvent.BitmapCompleted.class).stream()
                .collect(Collectors.toMap(e -> e.names().bitmap(), Function.identity()));
        List<JsonNode> expected = QemuTestData.jsonl("streams-sha256.jsonl");
        assertThat(completed).hasSize(expected.size());
        for (JsonNode e : expected) {
            LoadEvent.BitmapCompleted got = completed.get(e.get("name").asText());
            assertThat(got).as(e.get("name").asText()).isNotNull();
            assertThat(got.names().node()).isEqualTo(e.get("node").asText());
            assertThat(got.sha256()).as("sha256 of %s", e.get("name")).isEqualTo(e.get("sha256").asText());
            assertThat(got.count()).as("count of %s", e.get("name")).isEqualTo(e.get("count").asLong());
            assertThat(got.granularity().bytes()).isEqualTo(e.get("granularity").asLong());
            assertThat(got.enabled()).isEqualTo(e.get("enabled").asBoolean());
            assertThat(got.persistent()).isEqualTo(e.get("persistent").asBoolean());
            assertThat(got.size()).isEqualTo(e.get("size").asLong());
        }
        assertThat(Chunks.of(events, LoadEvent.MigrationCompleted.class)).singleElement()
                .satisfies(mc -> assertThat(mc.bitmaps()).map(BitmapNames::bitmap)
                        .containsExactly("newpers", "rtdis", "rt1m", "persdis", "pers4k", "pers64k"));
        // rtdis is all zero: nothing stored for it; pers4k (2 KiB serialized) is two chunks
        assertThat(store.storedChunks(new BitmapKey("mig1", "disk0", "rtdis"))).isZero();
        assertThat(store.storedChunks(new BitmapKey("mig1", "disk0", "pers4k"))).isEqualTo(2);
    }
}
