package org.dbmstream.bitmap.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dbmstream.bitmap.load.Chunks.MIB;

import java.util.List;
import org.assertj.core.groups.Tuple;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.chunk.MigrationBitmap;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.junit.jupiter.api.Test;

/**
 * The alias cases of QEMU's iotest 300 (migrate-bitmaps-test / tests/qemu-iotests/300), destination
 * side: the chunks carry the aliases the source sent, the destination's mapping resolves them.
 */
class AliasCasesTest {
    private static final DirtyBitmap BITS_A = Chunks.bitmap(MIB, 65536, 0, 65536);
    private static final DirtyBitmap BITS_B = Chunks.bitmap(MIB, 65536, 512 * 1024, 131072);

    @Test
    void noMappingUsesNamesAsAliases() {
        List<LoadEvent> events = load(null, Chunks.sent("node0", "bmap0", true, false, BITS_A));
        assertThat(completed(events)).containsExactly(names("node0", "node0", "bmap0", "bmap0"));
    }

    @Test
    void aliasForTheNode() {
        AliasMap map = AliasMap.fromJson("""
                [{"node-name": "node0", "alias": "node-alias", "bitmaps": [{"name": "bmap0", "alias": "bmap0"}]}]""");
        assertThat(completed(load(map, Chunks.sent("node-alias", "bmap0", true, false, BITS_A))))
                .containsExactly(names("node0", "node-alias", "bmap0", "bmap0"));
    }

    @Test
    void aliasForTheBitmap() {
        AliasMap map = AliasMap.fromJson("""
                [{"node-name": "node0", "alias": "node0", "bitmaps": [{"name": "bmap0", "alias": "bmap-alias"}]}]""");
        assertThat(completed(load(map, Chunks.sent("node0", "bmap-alias", true, false, BITS_A))))
                .containsExactly(names("node0", "node0", "bmap0", "bmap-alias"));
    }

    @Test
    void aliasForNodeAndBitmap() {
        AliasMap map = AliasMap.fromJson("""
                [{"node-name": "node0", "alias": "node-alias", "bitmaps": [{"name": "bmap0", "alias": "bmap-alias"}]}]""");
        assertThat(completed(load(map, Chunks.sent("node-alias", "bmap-alias", true, false, BITS_A))))
                .containsExactly(names("node0", "node-alias", "bmap0", "bmap-alias"));
    }

    @Test
    void crossedNodeAliasesSwapTheNodes() {
        AliasMap map = AliasMap.fromJson("""
                [{"node-name": "node-a", "alias": "node-b", "bitmaps": [{"name": "bmap0", "alias": "bmap0"}]},
                 {"node-name": "node-b", "alias": "node-a", "bitmaps": [{"name": "bmap0", "alias": "bmap0"}]}]""");
        List<LoadEvent> events = load(map, Chunks.sent("node-a", "bmap0", true, false, BITS_A),
                Chunks.sent("node-b", "bmap0", true, false, BITS_B));
        assertThat(completed(events)).containsExactly(names("node-b", "node-a", "bmap0", "bmap0"),
                names("node-a", "node-b", "bmap0", "bmap0"));
        // the bits follow the aliases: what node-a sent lands on node-b
        assertThat(sha(events, "node-b", "bmap0")).isEqualTo(BITS_A.sha256());
        assertThat(sha(events, "node-a", "bmap0")).isEqualTo(BITS_B.sha256());
    }

    @Test
    void crossedBitmapAliasesSwapTheBitmaps() {
        AliasMap map = AliasMap.fromJson("""
                [{"node-name": "node0", "alias": "node0", "bitmaps": [
                    {"name": "bmap-a", "alias": "bmap-b"}, {"name": "bmap-b", "alias": "bmap-a"}]}]""");
        List<LoadEvent> events = load(map, Chunks.sent("node0", "bmap-a", true, false, BITS_A),
                Chunks.sent("node0", "bmap-b", true, false, BITS_B));
        assertThat(completed(events)).containsExactly(names("node0", "node0", "bmap-b", "bmap-a"),
                names("node0", "node0", "bmap-a", "bmap-b"));
        assertThat(sha(events, "node0", "bmap-b")).isEqualTo(BITS_A.sha256());
        assertThat(sha(events, "node0", "bmap-a")).isEqualTo(BITS_B.sha256());
    }

    @Test
    void unmappedNodeOnTheDestinationCancels() {
        AliasMap map = AliasMap.fromJson("""
                [{"node-name": "node0", "alias": "other", "bitmaps": [{"name": "bmap0", "alias": "bmap0"}]}]""");
        List<LoadEvent> events = load(map, Chunks.sent("node0", "bmap0", true, false, BITS_A));
        assertThat(events).containsExactly(new LoadEvent.MigrationCancelled("m1", "vm1",
                "Error: Unknown node alias 'node0'"));
    }

    @Test
    void unmappedBitmapOnTheDestinationCancels() {
        AliasMap map = AliasMap.fromJson("""
                [{"node-name": "node0", "alias": "node0", "bitmaps": [{"name": "bmap0", "alias": "other"}]}]""");
        List<LoadEvent> events = load(map, Chunks.sent("node0", "bmap0", true, false, BITS_A));
        assertThat(events).containsExactly(new LoadEvent.MigrationCancelled("m1", "vm1",
                "Error: Unknown bitmap alias 'bmap0' on node 'node0' (alias 'node0')"));
    }

    @Test
    void unusedDestinationMappingIsFine() {
        AliasMap map = AliasMap.fromJson("""
                [{"node-name": "node0", "alias": "node0", "bitmaps": [
                    {"name": "bmap0", "alias": "bmap0"}, {"name": "never", "alias": "never-sent"}]},
                 {"node-name": "node1", "alias": "node1", "bitmaps": [{"name": "bmap1", "alias": "bmap1"}]}]""");
        List<LoadEvent> events = load(map, Chunks.sent("node0", "bmap0", true, false, BITS_A));
        assertThat(completed(events)).containsExactly(names("node0", "node0", "bmap0", "bmap0"));
        assertThat(Chunks.of(events, LoadEvent.MigrationCompleted.class)).hasSize(1);
    }

    @Test
    void longBitmapNameBehindAShortAlias() {
        String longName = "x".repeat(512);
        AliasMap map = AliasMap.fromJson("""
                [{"node-name": "node0", "alias": "node0", "bitmaps": [{"name": "%s", "alias": "short"}]}]"""
                .formatted(longName));
        List<LoadEvent> events = load(map, Chunks.sent("node0", "short", true, false, BITS_A));
        assertThat(completed(events)).containsExactly(names("node0", "node0", longName, "short"));
        assertThat(sha(events, "node0", longName)).isEqualTo(BITS_A.sha256());
    }

    @Test
    void transformPersistentOnTheDestinationOverridesTheFlag() {
        AliasMap map = AliasMap.fromJson("""
                [{"node-name": "node0", "alias": "node0", "bitmaps": [
                    {"name": "made-persistent", "alias": "a", "transform": {"persistent": true}},
                    {"name": "made-transient", "alias": "b", "transform": {"persistent": false}},
                    {"name": "kept", "alias": "c", "transform": {}}]}]""");
        List<LoadEvent> events = load(map, Chunks.sent("node0", "a", true, false, BITS_A),
                Chunks.sent("node0", "b", true, true, BITS_A), Chunks.sent("node0", "c", true, true, BITS_A));
        List<LoadEvent.BitmapCompleted> done = Chunks.of(events, LoadEvent.BitmapCompleted.class);
        assertThat(done).extracting(e -> e.names().bitmap(), LoadEvent.BitmapCompleted::persistent)
                .containsExactly(Tuple.tuple("made-persistent", true),
                        Tuple.tuple("made-transient", false),
                        Tuple.tuple("kept", true));
        assertThat(Chunks.of(events, LoadEvent.BitmapStarted.class)).extracting(LoadEvent.BitmapStarted::persistent)
                .containsExactly(true, false, true);
    }

    private static List<LoadEvent> load(AliasMap map, MigrationBitmap... sent) {
        List<Chunk> chunks = Chunks.migration(sent);
        return DestinationLoad.inMemory().acceptAll(new Migration("m1", "vm1", map, null), chunks);
    }

    private static List<BitmapNames> completed(List<LoadEvent> events) {
        return Chunks.of(events, LoadEvent.BitmapCompleted.class).stream().map(LoadEvent.BitmapCompleted::names)
                .toList();
    }

    private static String sha(List<LoadEvent> events, String node, String bitmap) {
        return Chunks.of(events, LoadEvent.BitmapCompleted.class).stream()
                .filter(e -> e.names().node().equals(node) && e.names().bitmap().equals(bitmap))
                .map(LoadEvent.BitmapCompleted::sha256).findFirst().orElseThrow();
    }

    private static BitmapNames names(String node, String nodeAlias, String bitmap, String bitmapAlias) {
        return new BitmapNames("m1", "vm1", node, nodeAlias, bitmap, bitmapAlias);
    }
}
