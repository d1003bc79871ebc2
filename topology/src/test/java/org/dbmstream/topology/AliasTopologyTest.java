package org.dbmstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.topology.TestChunks.MIB;

import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.schemas.MigrationCancelled;
import org.dbmstream.schemas.MigrationCompleted;
import org.dbmstream.bitmap.chunk.ChunkSize;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The alias cases of QEMU's iotest 300 through the topology, all in one driver (each its own migration
 * and target): the destination mapping in the migration spec resolves the aliases the chunks carry.
 */
class AliasTopologyTest {
    /** 8 KiB of bitmap each: eight of QEMU's chunks, one of the 8 KiB chunks a source publishes by default. */
    private static final DirtyBitmap A = TestChunks.bitmap(256 * MIB, 4096, 0, 65536);
    private static final DirtyBitmap B = TestChunks.bitmap(256 * MIB, 4096, 100 * MIB, 3 * MIB);
    private ChunkSize width;

    @ParameterizedTest
    @ValueSource(strings = {"1K", "8K"})
    void iotest300AliasCases(String size) throws Exception {
        width = ChunkSize.parse(size);
        try (DestinationDriver d = new DestinationDriver()) {
            run(d, "none", null, TestChunks.sent("node0", "bmap0", true, false, A));
            run(d, "node", """
                    [{"node-name": "node0", "alias": "node-alias", "bitmaps": [{"name": "bmap0", "alias": "bmap0"}]}]""",
                    TestChunks.sent("node-alias", "bmap0", true, false, A));
            run(d, "bitmap", """
                    [{"node-name": "node0", "alias": "node0", "bitmaps": [{"name": "bmap0", "alias": "bmap-alias"}]}]""",
                    TestChunks.sent("node0", "bmap-alias", true, false, A));
            run(d, "both", """
                    [{"node-name": "node0", "alias": "node-alias", "bitmaps": [{"name": "bmap0", "alias": "bmap-alias"}]}]""",
                    TestChunks.sent("node-alias", "bmap-alias", true, false, A));
            run(d, "crossed-nodes", """
                    [{"node-name": "node-a", "alias": "node-b", "bitmaps": [{"name": "bmap0", "alias": "bmap0"}]},
                     {"node-name": "node-b", "alias": "node-a", "bitmaps": [{"name": "bmap0", "alias": "bmap0"}]}]""",
                    TestChunks.sent("node-a", "bmap0", true, false, A), TestChunks.sent("node-b", "bmap0", true, false, B));
            run(d, "crossed-bitmaps", """
                    [{"node-name": "node0", "alias": "node0", "bitmaps": [
                        {"name": "bmap-a", "alias": "bmap-b"}, {"name": "bmap-b", "alias": "bmap-a"}]}]""",
                    TestChunks.sent("node0", "bmap-a", true, false, A), TestChunks.sent("node0", "bmap-b", true, false, B));
            run(d, "unmapped", """
                    [{"node-name": "node0", "alias": "other", "bitmaps": [{"name": "bmap0", "alias": "bmap0"}]}]""",
                    TestChunks.sent("node0", "bmap0", true, false, A));
            run(d, "unused", """
                    [{"node-name": "node0", "alias": "node0", "bitmaps": [
                        {"name": "bmap0", "alias": "bmap0"}, {"name": "never", "alias": "never-sent"}]},
                     {"node-name": "node1", "alias": "node1", "bitmaps": [{"name": "bmap1", "alias": "bmap1"}]}]""",
                    TestChunks.sent("node0", "bmap0", true, false, A));
            String longName = "n".repeat(512);
            run(d, "long-name", """
                    [{"node-name": "node0", "alias": "node0", "bitmaps": [{"name": "%s", "alias": "short"}]}]"""
                    .formatted(longName), TestChunks.sent("node0", "short", true, false, A));
            run(d, "transform", """
                    [{"node-name": "node0", "alias": "node0", "bitmaps": [
                        {"name": "bmap0", "alias": "bmap0", "transform": {"persistent": true}}]}]""",
                    TestChunks.sent("node0", "bmap0", true, false, A));

            List<Event> events = d.events();
            assertThat(completed(events, "none")).containsExactly("node0/node0/bmap0/bmap0");
            assertThat(completed(events, "node")).containsExactly("node0/node-alias/bmap0/bmap0");
            assertThat(completed(events, "bitmap")).containsExactly("node0/node0/bmap0/bmap-alias");
            assertThat(completed(events, "both")).containsExactly("node0/node-alias/bmap0/bmap-alias");
            assertThat(completed(events, "crossed-nodes"))
                    .containsExactly("node-b/node-a/bmap0/bmap0", "node-a/node-b/bmap0/bmap0");
            assertThat(sha(events, "crossed-nodes", "node-b", "bmap0")).isEqualTo(A.sha256());
            assertThat(sha(events, "crossed-nodes", "node-a", "bmap0")).isEqualTo(B.sha256());
            assertThat(completed(events, "crossed-bitmaps"))
                    .containsExactly("node0/node0/bmap-b/bmap-a", "node0/node0/bmap-a/bmap-b");
            assertThat(sha(events, "crossed-bitmaps", "node0", "bmap-b")).isEqualTo(A.sha256());
            assertThat(sha(events, "crossed-bitmaps", "node0", "bmap-a")).isEqualTo(B.sha256());
            assertThat(completed(events, "unmapped")).isEmpty();
            assertThat(EventsView.of(events, MigrationCancelled.class)).singleElement().satisfies(e -> {
                assertThat(e.getMigration()).isEqualTo("unmapped");
                assertThat(((MigrationCancelled) e.getBody()).getReason()).isEqualTo("Error: Unknown node alias 'node0'");
            });
            assertThat(completed(events, "unused")).containsExactly("node0/node0/bmap0/bmap0");
            assertThat(completed(events, "long-name")).containsExactly("node0/node0/" + longName + "/short");
            assertThat(EventsView.of(events, BitmapCompleted.class).stream()
                    .filter(e -> e.getMigration().equals("transform"))
                    .map(e -> ((BitmapCompleted) e.getBody()).getPersistent())).containsExactly(true);
            assertThat(EventsView.of(events, MigrationCompleted.class)).extracting(Event::getMigration)
                    .containsExactlyInAnyOrder("none", "node", "bitmap", "both", "crossed-nodes", "crossed-bitmaps",
                            "unused", "long-name", "transform");
        }
    }

    private void run(DestinationDriver d, String migration, String mapping, MigrationBitmap... sent) {
        d.spec(migration, "vm-" + migration, mapping == null ? null : AliasMap.fromJson(mapping), null);
        d.chunks(migration, TestChunks.migration(width, sent));
    }

    private static List<String> completed(List<Event> events, String migration) {
        return EventsView.of(events, BitmapCompleted.class).stream().filter(e -> e.getMigration().equals(migration))
                .map(e -> e.getNode() + "/" + e.getNodeAlias() + "/" + e.getBitmap() + "/" + e.getBitmapAlias())
                .toList();
    }

    private static String sha(List<Event> events, String migration, String node, String bitmap) {
        return EventsView.of(events, BitmapCompleted.class).stream()
                .filter(e -> e.getMigration().equals(migration) && e.getNode().equals(node)
                        && e.getBitmap().equals(bitmap))
                .map(e -> ((BitmapCompleted) e.getBody()).getSha256()).findFirst().orElseThrow();
    }
}
