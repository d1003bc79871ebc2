package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.schemas.BitmapStarted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.topology.store.StoredBitmaps;
import org.junit.jupiter.api.Test;

/**
 * A spec or chunk whose names the replica could not be read back by (published by a source that does not
 * check them) fails its migration with the reason, and nothing of it is stored: an empty or 9,000-character
 * target, a node or bitmap name with a control character. Another migration is untouched.
 */
class RefusedNamesTopologyTest {
    private static final DirtyBitmap A = TestChunks.bitmap(MIB, 65536, 0, 65536);

    private static String failure(List<Event> events, String migration) {
        return EventsView.of(events, MigrationFailed.class).stream().filter(e -> e.getMigration().equals(migration))
                .map(e -> ((MigrationFailed) e.getBody()).getReason()).findFirst().orElse(null);
    }

    private static List<StoredBitmaps.Stored> stored(DestinationDriver d, String target) {
        List<StoredBitmaps.Stored> out = new ArrayList<>();
        d.stored().forEachBitmap(target, out::add);
        return out;
    }

    @Test
    void namesThatCannotBeReadBackFailTheMigrationAndStoreNothing() throws Exception {
        String longTarget = "t".repeat(9000);
        try (DestinationDriver d = new DestinationDriver()) {
            d.spec("empty-target", "");
            d.chunks("empty-target", TestChunks.migration(TestChunks.sent("disk0", "b0", true, false, A)));
            d.spec("long-target", longTarget);
            d.chunks("long-target", TestChunks.migration(TestChunks.sent("disk0", "b0", true, false, A)));
            d.spec("control-char", "vm1");
            d.chunks("control-char", TestChunks.migration(TestChunks.sent("disk0", "b\n0", true, false, A)));
            d.spec("fine", "vm1");
            d.chunks("fine", TestChunks.migration(TestChunks.sent("disk0", "b0", true, false, A)));

            List<Event> events = d.events();
            assertThat(failure(events, "empty-target")).isEqualTo("the target is empty: the replica could not be "
                    + "read back by it; nothing was stored");
            assertThat(failure(events, "long-target")).startsWith("the target 'tttt").contains("has 9000 bytes, "
                    + "more than 255: the replica could not be read back by it");
            assertThat(failure(events, "control-char")).isEqualTo("the bitmap name 'b\\u000A0' holds the control "
                    + "character U+000A: the replica could not be read back by it; nothing was stored");
            assertThat(failure(events, "fine")).isNull();
            assertThat(EventsView.of(events, BitmapStarted.class)).extracting(Event::getMigration)
                    .containsExactly("fine");
            assertThat(stored(d, "")).isEmpty();
            assertThat(stored(d, longTarget)).isEmpty();
            assertThat(stored(d, "vm1")).extracting(s -> s.key().migration()).containsExactly("fine");
        }
    }
}
