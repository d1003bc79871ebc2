package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.util.List;
import java.util.Map;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.schemas.BitmapCancelled;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapStarted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.schemas.MigrationFailed;
import org.junit.jupiter.api.Test;

/** Every row of DESIGN.md section 4's table, through the topology: QEMU's message, cancel or fail. */
class LoadTableTopologyTest {
    private static final AliasMap MAPPING = AliasMap.fromJson("""
            [{"node-name": "disk0", "alias": "node0", "bitmaps": [{"name": "b0", "alias": "bm0"}]}]""");

    @Test
    void unknownNodeAliasCancels() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1", MAPPING, null);
            d.chunk("m1", TestChunks.start("node0", "bm0", 65536, MIB));
            d.chunk("m1", TestChunks.start("nodeX", "bm0", 65536, MIB));
            List<Event> events = d.events();
            assertThat(EventsView.types(events)).containsExactly("BitmapStarted", "BitmapCancelled",
                    "MigrationCancelled");
            assertThat(reason(events)).isEqualTo("Error: Unknown node alias 'nodeX'");
            Event cancelled = EventsView.of(events, BitmapCancelled.class).get(0);
            assertThat(cancelled.getNode()).isEqualTo("disk0");
            assertThat(cancelled.getNodeAlias()).isEqualTo("node0");
            assertThat(cancelled.getBitmap()).isEqualTo("b0");
            assertThat(cancelled.getBitmapAlias()).isEqualTo("bm0");
        }
    }

    @Test
    void noSuchNodeCancels() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1", null, Map.of("disk0", MIB));
            d.chunk("m1", TestChunks.start("disk1", "b0", 65536, MIB));
            d.spec("m2", "vm1", MAPPING, Map.of("disk9", MIB));
            d.chunk("m2", TestChunks.start("node0", "bm0", 65536, MIB));
            List<Event> events = d.events();
            assertThat(EventsView.bodies(events, MigrationCancelled.class)).extracting(MigrationCancelled::getReason)
                    .containsExactly("Cannot find device='disk1' nor node-name='disk1'",
                            "Cannot find device='' nor node-name='disk0'");
        }
    }

    @Test
    void unknownBitmapAliasCancels() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1", MAPPING, null);
            d.chunk("m1", TestChunks.start("node0", "bmX", 65536, MIB));
            assertThat(reason(d.events())).isEqualTo("Error: Unknown bitmap alias 'bmX' on node 'disk0' (alias 'node0')");
        }
    }

    @Test
    void missingNamesCancel() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunk("m1", Chunk.EndOfStream.empty());
            d.chunk("m1", new Chunk.Complete("", "b0"));
            List<Event> events = d.events();
            assertThat(EventsView.types(events)).containsExactly("MigrationCancelled");
            assertThat(reason(events)).isEqualTo("Error: block device name is not set");
        }
    }

    @Test
    void bitsForABitmapNeverStartedCancel() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunk("m1", TestChunks.bits("disk0", "b0", TestChunks.bitmap(MIB, 65536, 0, 1)).get(0));
            assertThat(reason(d.events())).isEqualTo("Error: unknown dirty bitmap 'b0' for block device 'disk0'");
        }
    }

    @Test
    void secondStartOfTheSameNameOnTheTargetFails() throws Exception {
        DirtyBitmap b = TestChunks.bitmap(MIB, 65536, 0, 65536);
        List<Chunk> chunks = TestChunks.migration(TestChunks.sent("disk0", "b0", true, true, b));
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunks("m1", chunks);
            d.spec("m2", "vm1");
            d.chunks("m2", chunks);
            d.spec("m3", "vm2");
            d.chunks("m3", chunks);
            List<Event> events = d.events();
            assertThat(EventsView.of(events, MigrationFailed.class)).singleElement().satisfies(e -> {
                assertThat(e.getMigration()).isEqualTo("m2");
                assertThat(((MigrationFailed) e.getBody()).getReason())
                        .isEqualTo("Bitmap with the same name ('b0') already exists on destination");
            });
            assertThat(EventsView.of(events, MigrationCompleted.class)).extracting(Event::getMigration)
                    .containsExactly("m1", "m3");
        }
    }

    @Test
    void reservedStartFlagsFail() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunk("m1", new Chunk.Start("disk0", "b0", Granularity.of(65536), 0x09, MIB));
            assertThat(EventsView.bodies(d.events(), MigrationFailed.class)).extracting(MigrationFailed::getReason)
                    .containsExactly("Unknown flags in migrated dirty bitmap header: 9");
        }
    }

    @Test
    void oversizedBufferFails() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunk("m1", TestChunks.start("disk0", "b0", 512, 64 * MIB));
            d.chunk("m1", new Chunk.Bits("disk0", "b0", 0, 65536, new byte[10 * 1024 + 32]));
            List<Event> events = d.events();
            assertThat(EventsView.types(events)).containsExactly("BitmapStarted", "BitmapCancelled", "MigrationFailed");
            assertThat(EventsView.bodies(events, MigrationFailed.class)).extracting(MigrationFailed::getReason)
                    .containsExactly("Bitmap migration stream buffer allocation request is too big");
        }
    }

    @Test
    void bufferNotMatchingTheGranularityCancels() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunk("m1", TestChunks.start("disk0", "b0", 65536, 64 * MIB));
            // 64 MiB at 64 KiB is 128 serialized bytes; a buffer for 4 KiB granularity is 2048
            d.chunk("m1", new Chunk.Bits("disk0", "b0", 0, 131072, new byte[2048]));
            assertThat(reason(d.events()))
                    .isEqualTo("Migrated bitmap granularity doesn't match the destination bitmap 'b0' granularity");
        }
    }

    @Test
    void startBitsZeroesAndCompleteGiveQemusDigest() throws Exception {
        DirtyBitmap b = TestChunks.bitmap(8 * MIB, 512, 0, 4096, 3 * MIB, 1);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("m1", "vm1");
            d.chunk("m1", Chunk.Start.of("disk0", "b0", Granularity.of(512), true, false, 8 * MIB));
            List<Chunk.Bits> bits = TestChunks.bits("disk0", "b0", b);
            // first a chunk full of ones over the ZEROES range, which the ZEROES chunk must clear
            d.chunk("m1", new Chunk.Bits("disk0", "b0", bits.get(1).firstSector(), bits.get(1).sectors(),
                    filled(1024)));
            d.chunks("m1", bits);
            d.chunk("m1", TestChunks.complete("disk0", "b0"));
            List<Event> events = d.events();
            assertThat(EventsView.bodies(events, BitmapStarted.class)).singleElement()
                    .satisfies(s -> assertThat(s.getEnabled()).isTrue());
            BitmapCompleted done = EventsView.bodies(events, BitmapCompleted.class).get(0);
            assertThat(done.getSha256()).isEqualTo(b.sha256());
            assertThat(done.getCount()).isEqualTo(b.count());
            assertThat(done.getChunks()).isEqualTo(bits.size() + 1);
            assertThat(done.getGranularity()).isEqualTo(512);
            assertThat(done.getSize()).isEqualTo(8 * MIB);
        }
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 0xff);
        return b;
    }

    private static String reason(List<Event> events) {
        return EventsView.bodies(events, MigrationCancelled.class).stream().map(MigrationCancelled::getReason)
                .findFirst().orElseThrow(() -> new AssertionError("no MigrationCancelled in " + events));
    }
}
