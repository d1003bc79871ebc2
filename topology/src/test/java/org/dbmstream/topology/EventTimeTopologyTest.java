package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapStarted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.junit.jupiter.api.Test;

/** Each event carries the time the destination emitted it, not the time of the chunk that caused it. */
class EventTimeTopologyTest {

    @Test
    void eventsOfOneMigrationCarryTheirOwnTimes() throws Exception {
        DirtyBitmap bits = TestChunks.bitmap(MIB, 65536, 0, 65536);
        List<Chunk> chunks = TestChunks.migration(TestChunks.sent("disk0", "b0", true, false, bits));
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunks("m1", chunks.subList(0, 1));
            d.advanceClock(Duration.ofSeconds(5));
            d.chunks("m1", chunks.subList(1, chunks.size()));

            List<Event> events = d.events();
            Instant started = EventsView.of(events, BitmapStarted.class).get(0).getTime();
            Instant completed = EventsView.of(events, MigrationCompleted.class).get(0).getTime();
            assertThat(Duration.between(started, completed)).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        }
    }
}
