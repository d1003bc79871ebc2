package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapStarted;
import org.dbmstream.schemas.DestinationNode;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationSpec;
import org.dbmstream.topology.record.SpecRecord;
import org.junit.jupiter.api.Test;

/**
 * Chunks that find their migration's spec read ahead of its control record ({@code SpecLookup}, what
 * the destination's SpecWatcher provides) load at once, and end with QEMU's values, whether the control
 * record comes later or chunks already waited for it.
 */
class SpecReadAheadTopologyTest {
    private static final long DISK = 64L << 20;

    @Test
    void chunksLoadUnderASpecReadAheadWithoutWaitingForItsControlRecord() throws Exception {
        final Map<String, SpecRecord> ahead = new ConcurrentHashMap<>();
        ahead.put("mig1", spec());
        final List<Chunk> chunks = QemuStream.mig1Chunks();
        try (DestinationDriver d = new DestinationDriver(ahead::get)) {
            d.chunks("mig1", chunks.subList(0, 1));
            // loaded under the spec read ahead: started, not parked
            assertThat(d.parkedChunks()).isZero();
            assertThat(EventsView.of(d.events(), BitmapStarted.class)).isNotEmpty();

            d.chunks("mig1", chunks.subList(1, chunks.size()));
            assertThat(d.parkedChunks()).isZero();
            final List<Event> events = d.events();
            assertQemusValues(events);

            // the control record arrives late: applied again, nothing changes, nothing is emitted twice
            d.spec("mig1", "dst1", null, Map.of("disk0", DISK));
            assertThat(d.events()).hasSameSizeAs(events);
        }
    }

    @Test
    void chunksThatWaitedAreLoadedFirstWhenTheSpecIsReadAhead() throws Exception {
        final Map<String, SpecRecord> ahead = new ConcurrentHashMap<>();
        final List<Chunk> chunks = QemuStream.mig1Chunks();
        try (DestinationDriver d = new DestinationDriver(ahead::get)) {
            // START and the first BITS come before anything knows the spec: they wait
            d.chunks("mig1", chunks.subList(0, 5));
            assertThat(d.parkedChunks()).isEqualTo(5);
            assertThat(d.events()).isEmpty();

            // the next chunk finds the spec read ahead: the waiting ones load first, in their order
            ahead.put("mig1", spec());
            d.chunks("mig1", chunks.subList(5, chunks.size()));
            assertThat(d.parkedChunks()).isZero();
            assertQemusValues(d.events());
        }
    }

    /** The spec as the topology makes it from the migrations topic (the source's spec of mig1). */
    private static SpecRecord spec() {
        return SpecRecord.of("mig1", new MigrationSpec("mig1", "dst1", null,
                List.of(new DestinationNode("disk0", DISK)), Instant.EPOCH, false));
    }

    private static void assertQemusValues(final List<Event> events) throws Exception {
        final Map<String, Event> completed = EventsView.of(events, BitmapCompleted.class).stream()
                .collect(Collectors.toMap(Event::getBitmap, Function.identity()));
        final List<JsonNode> expected = QemuStream.expected();
        assertThat(completed).hasSize(expected.size());
        for (final JsonNode e : expected) {
            final BitmapCompleted body = (BitmapCompleted) completed.get(e.get("name").asText()).getBody();
            assertThat(body.getSha256()).as("sha256 of %s", e.get("name").asText()).isEqualTo(e.get("sha256").asText());
            assertThat(body.getCount()).as("count of %s", e.get("name").asText()).isEqualTo(e.get("count").asLong());
        }
        assertThat(EventsView.bodies(events, MigrationCompleted.class)).singleElement()
                .satisfies(mc -> assertThat(mc.getBitmaps()).hasSize(expected.size()));
    }
}
