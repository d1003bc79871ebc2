package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.dbmstream.bitmap.load.BitmapNames;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.BitmapRemoved;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationFailed;
import org.dbmstream.topology.record.Control;
import org.junit.jupiter.api.Test;

/**
 * The query API's DELETE as the topology applies it, like QMP {@code block-dirty-bitmap-remove}: the
 * completed bitmap goes, an event records it, and its name is free for a later START (which QEMU's
 * "already exists" rule refuses while the bitmap exists).
 */
class BitmapRemovalTopologyTest {
    private static final BitmapNames FIRST = new BitmapNames("m1", "vm-17", "disk0", "disk0", "backup", "backup");

    @Test
    void aRemovedBitmapIsReportedAndItsNameIsFreeAgain() throws Exception {
        try (DestinationDriver d = new DestinationDriver()) {
            migrate(d, "m1", 0);
            migrate(d, "m2", 1);
            assertThat(EventsView.bodies(d.events(), MigrationFailed.class)).singleElement()
                    .satisfies(f -> assertThat(f.getReason()).contains("already exists"));

            d.control(new Control.BitmapRemoval(FIRST));
            List<Event> removed = EventsView.of(d.events(), BitmapRemoved.class);
            assertThat(removed).singleElement().satisfies(e -> {
                assertThat(e.getMigration()).isEqualTo("m1");
                assertThat(e.getTarget()).isEqualTo("vm-17");
                assertThat(e.getNode()).isEqualTo("disk0");
                assertThat(e.getBitmap()).isEqualTo("backup");
            });
            // applied once: a repeated removal (a redelivered control record) finds nothing more to remove
            d.control(new Control.BitmapRemoval(FIRST));
            assertThat(EventsView.of(d.events(), BitmapRemoved.class)).hasSize(1);

            migrate(d, "m3", 2);
            assertThat(EventsView.of(d.events(), BitmapCompleted.class)).extracting(Event::getMigration)
                    .containsExactly("m1", "m3");
        }
    }

    private static void migrate(DestinationDriver d, String migration, long dirtyAt) {
        d.spec(migration, "vm-17");
        d.chunks(migration, TestChunks.migration(TestChunks.sent("disk0", "backup", true, true,
                TestChunks.bitmap(64 * TestChunks.MIB, 65536, dirtyAt * TestChunks.MIB, 65536))));
    }
}
