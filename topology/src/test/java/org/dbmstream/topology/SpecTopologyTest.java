package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.bitmap.mapping.BitmapAlias;
import org.dbmstream.bitmap.mapping.BlockBitmapMapping;
import org.dbmstream.bitmap.mapping.NodeAlias;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.junit.jupiter.api.Test;

/** How migration specs meet chunks: chunks may come first, a spec may be invalid. */
class SpecTopologyTest {

    @Test
    void chunksBeforeTheirSpecWaitAndLoadInOrderWhenItArrives() throws Exception {
        DirtyBitmap bits = TestChunks.bitmap(2 * MIB, 4096, 0, 12288, MIB, 4096);
        List<Chunk> chunks = TestChunks.migration(TestChunks.sent("node-alias", "b0", true, false, bits));
        try (DestinationDriver d = new DestinationDriver()) {
            d.chunks("early", chunks);
            assertThat(d.events()).isEmpty();
            d.spec("early", "vm1", AliasMap.fromJson("""
                    [{"node-name": "disk0", "alias": "node-alias", "bitmaps": [{"name": "b0", "alias": "b0"}]}]"""), null);
            List<Event> events = d.events();
            assertThat(EventsView.types(events)).containsExactly("BitmapStarted", "BitmapCompleted",
                    "MigrationCompleted");
            Event done = EventsView.of(events, BitmapCompleted.class).get(0);
            assertThat(done.getNode()).isEqualTo("disk0");
            assertThat(((BitmapCompleted) done.getBody()).getSha256()).isEqualTo(bits.sha256());
        }
    }

    @Test
    void specWithAnInvalidMappingFailsTheMigrationWithQemusMessage() throws Exception {
        // the alias must start with a letter: the destination refuses the whole mapping, as QEMU does
        AliasMap valid = AliasMap.of(new BlockBitmapMapping(List.of(new NodeAlias("disk0", "node0",
                List.of(new BitmapAlias("b0", "b0"))))));
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("bad-map", "vm1", valid, null);
            d.specWithMapping("bad-map", "vm1", new BlockBitmapMapping(List.of(new NodeAlias("disk0", "0node",
                    List.of(new BitmapAlias("b0", "b0"))))));
            DirtyBitmap bits = TestChunks.bitmap(MIB, 65536, 0, 1);
            d.chunks("bad-map", TestChunks.migration(TestChunks.sent("0node", "b0", false, false, bits)));
            List<Event> events = d.events();
            assertThat(EventsView.bodies(events, MigrationFailed.class)).extracting(MigrationFailed::getReason)
                    .containsExactly("The node alias '0node' is not well-formed");
            assertThat(EventsView.bodies(events, MigrationCompleted.class)).isEmpty();
        }
    }

    @Test
    void updatedSpecAppliesToLaterChunks() throws Exception {
        DirtyBitmap bits = TestChunks.bitmap(MIB, 65536, 0, 65536);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "old-target");
            d.spec("m1", "vm1");
            d.chunks("m1", TestChunks.migration(TestChunks.sent("disk0", "b0", false, false, bits)));
            assertThat(d.events()).extracting(Event::getTarget).containsOnly("vm1");
        }
    }
}
