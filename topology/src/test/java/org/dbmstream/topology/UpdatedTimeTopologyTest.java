package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.load.BitmapPhase;
import org.dbmstream.topology.store.StoredBitmaps;
import org.junit.jupiter.api.Test;

/**
 * A stored bitmap carries the destination's wall-clock time of its last state change (the query API's
 * {@code updated}, DESIGN.md section 9): a chunk applied later moves it on.
 */
class UpdatedTimeTopologyTest {

    @Test
    void theLastStateChangeIsTheDestinationsWallClockTimeOfIt() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm-3");
            final List<Chunk> chunks = TestChunks.migration(TestChunks.sent("disk0", "backup", true, true,
                    TestChunks.bitmap(64 * TestChunks.MIB, 65536, 5 * TestChunks.MIB, 65536)));
            final int complete = chunks.indexOf(chunks.stream().filter(c -> c instanceof Chunk.Complete).findFirst()
                    .orElseThrow());
            d.chunks("m1", chunks.subList(0, complete));
            final StoredBitmaps.Stored loading = d.stored().find("vm-3", "disk0", "backup").orElseThrow();
            assertThat(loading.state().phase()).isEqualTo(BitmapPhase.LOADING);
            assertThat(loading.updated()).isNotNull();

            d.advanceClock(Duration.ofMinutes(7));
            d.chunks("m1", chunks.subList(complete, chunks.size()));
            final StoredBitmaps.Stored done = d.stored().find("vm-3", "disk0", "backup").orElseThrow();
            assertThat(done.state().phase()).isEqualTo(BitmapPhase.COMPLETE);
            assertThat(done.updated()).isEqualTo(loading.updated().plus(Duration.ofMinutes(7)));
            assertThat(done.updated()).isBetween(Instant.now().minus(Duration.ofHours(1)),
                    Instant.now().plus(Duration.ofHours(1)));
        }
    }
}
