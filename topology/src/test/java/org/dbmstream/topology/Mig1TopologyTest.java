package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.junit.jupiter.api.Test;

/**
 * QEMU's real migration stream mig1, decoded by the codec, through the topology (with the manifest
 * the Kafka mapping adds): every completed
 * bitmap's sha256 and count equal what QEMU's own destination reported.
 */
class Mig1TopologyTest {

    @Test
    void qemuStreamLoadsToQemusDestinationState() throws Exception {
        List<Chunk> chunks = QemuStream.mig1Chunks();
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("mig1", "dst1", null, Map.of("disk0", 64L << 20));
            d.chunks("mig1", chunks);
            List<Event> events = d.events();
            Map<String, Event> completed = EventsView.of(events, BitmapCompleted.class).stream()
                    .collect(Collectors.toMap(Event::getBitmap, Function.identity()));
            List<JsonNode> expected = QemuStream.expected();
            assertThat(completed).hasSize(expected.size());
            for (JsonNode e : expected) {
                Event got = completed.get(e.get("name").asText());
                assertThat(got).as(e.get("name").asText()).isNotNull();
                BitmapCompleted body = (BitmapCompleted) got.getBody();
                assertThat(body.getSha256()).as("sha256 of %s", got.getBitmap()).isEqualTo(e.get("sha256").asText());
                assertThat(body.getCount()).as("count of %s", got.getBitmap()).isEqualTo(e.get("count").asLong());
                assertThat(body.getGranularity()).isEqualTo(e.get("granularity").asLong());
                assertThat(body.getEnabled()).isEqualTo(e.get("enabled").asBoolean());
                assertThat(body.getPersistent()).isEqualTo(e.get("persistent").asBoolean());
                assertThat(got.getTarget()).isEqualTo("dst1");
                assertThat(got.getNode()).isEqualTo("disk0");
            }
            assertThat(EventsView.bodies(events, MigrationCompleted.class)).singleElement()
                    .satisfies(mc -> assertThat(mc.getBitmaps()).hasSize(expected.size()));
        }
    }
}
