package org.dbmstream.source;

import org.dbmstream.testkit.QemuTestData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.bitmap.mapping.AliasMap;
import org.dbmstream.bitmap.mapping.MappingException;
import org.dbmstream.bitmap.source.SelectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationPlannerTest {
    private static final Granularity G64K = Granularity.of(65536);

    private static MigrationInput.InMemoryBitmap mem(String node, String name) {
        return new MigrationInput.InMemoryBitmap(node, name, new DirtyBitmap(1 << 20, G64K), true, true);
    }

    private static MigrationPlan plan(MigrationRequest.Builder b) throws IOException {
        return MigrationPlanner.plan(b.migrationId("m1").build(), 42);
    }

    @Test
    void withoutMappingNamesTravelAsThemselves() throws IOException {
        try (MigrationPlan p = plan(MigrationRequest.builder().target("vm7").input(mem("disk0", "b1"))
                .input(mem("disk0", "b2")).input(mem("disk1", "b1")))) {
            assertThat(p.bitmaps()).extracting(b -> b.nodeAlias() + "/" + b.bitmapAlias())
                    .containsExactly("disk0/b1", "disk0/b2", "disk1/b1");
            assertThat(p.spec().getTarget()).isEqualTo("vm7");
            assertThat(p.spec().getMigration()).isEqualTo("m1");
            assertThat(p.spec().getMapping()).isNull();
            assertThat(p.spec().getNodes()).isNull();
        }
    }

    /** Issue 25 item 7: what the CLI and the connectors share refuses names the replica cannot be read by. */
    @Test
    void namesTheReplicaCouldNotBeReadBackByAreRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> plan(MigrationRequest.builder().target("").input(mem("disk0", "b1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the target is empty");
        assertThatThrownBy(() -> MigrationRequest.builder().migrationId("m".repeat(2000)).input(mem("d", "b")).build())
                .hasMessageContaining("has 2000 bytes, more than 1023");
        assertThatThrownBy(() -> plan(MigrationRequest.builder().input(mem("disk\n0", "b1"))))
                .hasMessage("bitmap 'b1' of node 'disk\\u000A0' cannot be migrated: the node name 'disk\\u000A0' holds "
                        + "the control character U+000A");
        assertThatThrownBy(() -> plan(MigrationRequest.builder().input(mem("d".repeat(300), "b1"))))
                .hasMessageContaining("the node name 'dddd").hasMessageContaining("has 300 bytes, more than 255");
    }

    @Test
    void withMappingUnmappedNodesAndBitmapsAreSkippedSilentlyAndTransformsApply() throws IOException {
        AliasMap mapping = AliasMap.fromJson("""
                [{"node-name": "disk0", "alias": "n0", "bitmaps": [
                  {"name": "b1", "alias": "x1", "transform": {"persistent": false}}]}]
                """);
        try (MigrationPlan p = plan(MigrationRequest.builder().sourceMapping(mapping).input(mem("disk0", "b1"))
                .input(mem("disk0", "b2")).input(mem("disk1", "b1")))) {
            assertThat(p.bitmaps()).hasSize(1);
            PublishedBitmap b = p.bitmaps().get(0);
            assertThat(b).isEqualTo(new PublishedBitmap("disk0", "n0", "b1", "x1", 65536, 1 << 20, true, false));
            Chunk.Start start = (Chunk.Start) p.chunks().next().chunk();
            assertThat(start.persistent()).isFalse();
            assertThat(start.nodeAlias()).isEqualTo("n0");
        }
    }

    @Test
    void qemusSelectionErrorsSurfaceBeforeAnythingIsSent() {
        String longName = "b".repeat(256);
        assertThatThrownBy(() -> plan(MigrationRequest.builder().input(mem("disk0", longName))))
                .isInstanceOf(SelectionException.class)
                .hasMessage("Cannot migrate bitmap '" + longName + "' on node 'disk0': Name is longer than 255 bytes");
        assertThatThrownBy(() -> plan(MigrationRequest.builder().input(mem("#block123", "b1"))))
                .isInstanceOf(SelectionException.class)
                .hasMessage("Bitmap 'b1' in a node with auto-generated name '#block123' can't be migrated");
        assertThatThrownBy(() -> plan(MigrationRequest.builder().input(mem("", "b1"))))
                .isInstanceOf(SelectionException.class)
                .hasMessage("Bitmap 'b1' in unnamed node can't be migrated");
    }

    @Test
    void mappingErrorsCarryQemusMessages() {
        assertThatThrownBy(() -> AliasMap.fromJson("""
                [{"node-name": "disk0", "alias": "1bad", "bitmaps": []}]"""))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("The node alias '1bad' is not well-formed");
    }

    @Test
    void destinationMappingAndNodesGoIntoTheSpec() throws IOException {
        AliasMap dest = AliasMap.fromJson("""
                [{"node-name": "vda", "alias": "disk0", "bitmaps": [{"name": "b1", "alias": "b1"}]}]""");
        try (MigrationPlan p = plan(MigrationRequest.builder().input(mem("disk0", "b1"))
                .destinationMapping(dest.mapping()).destinationNode("vda", 1 << 20))) {
            assertThat(p.spec().getMapping()).hasSize(1);
            assertThat(p.spec().getMapping().get(0).getNodeName()).isEqualTo("vda");
            assertThat(p.spec().getMapping().get(0).getBitmaps().get(0).getAlias()).isEqualTo("b1");
            assertThat(p.spec().getNodes()).hasSize(1);
            assertThat(p.spec().getNodes().get(0).getSize()).isEqualTo(1 << 20);
            assertThat(p.spec().getTime().toEpochMilli()).isEqualTo(42);
        }
    }

    @Test
    void aStreamIsAWholeMigrationOnItsOwn() {
        Path stream = QemuTestData.dir().resolve("streams/mig1-min.stream");
        assertThatThrownBy(() -> plan(MigrationRequest.builder().input(new MigrationInput.MigrationStreamFile(stream))
                .input(mem("disk0", "b1"))))
                .hasMessageContaining("publish it alone");
        assertThatThrownBy(() -> plan(MigrationRequest.builder().input(new MigrationInput.MigrationStreamFile(stream))
                .sourceMapping(AliasMap.fromJson("[]"))))
                .hasMessageContaining("its names are already aliases");
    }

    @Test
    void theSameBitmapTwiceIsRefused() {
        assertThatThrownBy(() -> plan(MigrationRequest.builder().input(mem("disk0", "b1")).input(mem("disk0", "b1"))))
                .hasMessage("bitmap 'b1' of node 'disk0' is given twice");
    }

    @Test
    void rawBitmapFilesAreReadRangeByRange(@TempDir Path dir) throws IOException {
        DirtyBitmap bitmap = new DirtyBitmap(10L << 20, Granularity.of(4096));
        bitmap.markDirty(0, 4096);
        bitmap.markDirty(9L << 20, 65536);
        byte[] bytes = bitmap.toBytes();
        // a file may stop short: trailing zero bytes are implied
        int used = bytes.length;
        while (used > 0 && bytes[used - 1] == 0) {
            used--;
        }
        Path raw = Files.write(dir.resolve("b.raw"), java.util.Arrays.copyOf(bytes, used));
        var input = new MigrationInput.RawBitmapFile(raw, "disk0", "raw", Granularity.of(4096), 10L << 20, true, true);
        try (MigrationPlan p = plan(MigrationRequest.builder().input(input))) {
            DirtyBitmap rebuilt = new DirtyBitmap(10L << 20, Granularity.of(4096));
            while (p.chunks().hasNext()) {
                if (p.chunks().next().chunk() instanceof Chunk.Bits b && !b.zeroes()) {
                    long first = (b.firstSector() * 512) / 4096;
                    long n = Math.min(rebuilt.bitCount() - first, b.sectors() * 512 / 4096);
                    rebuilt.deserialize(first, n, b.payload());
                }
            }
            assertThat(rebuilt.sha256()).isEqualTo(bitmap.sha256());
            assertThat(rebuilt.count()).isEqualTo(4096 + 65536);
        }
    }

    @Test
    void aRawFileOfAnotherGeometryIsRefused(@TempDir Path dir) throws IOException {
        Path tooLong = Files.write(dir.resolve("long.raw"), new byte[24]);
        assertThatThrownBy(() -> plan(MigrationRequest.builder().input(new MigrationInput.RawBitmapFile(tooLong, "d", "b",
                Granularity.of(65536), 65536L * 100, true, true))))
                .hasMessageContaining("has 24 bytes, but a bitmap of 100 bits");
        byte[] stray = new byte[16];
        stray[12] = 0x10; // bit 100
        Path strayBit = Files.write(dir.resolve("stray.raw"), stray);
        assertThatThrownBy(() -> plan(MigrationRequest.builder().input(new MigrationInput.RawBitmapFile(strayBit, "d", "b",
                Granularity.of(65536), 65536L * 100, true, true))))
                .hasMessageContaining("sets bits past bit 100");
    }
}
