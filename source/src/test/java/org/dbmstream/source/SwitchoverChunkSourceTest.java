package org.dbmstream.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.testkit.PostcopyFixture;
import org.dbmstream.testkit.QemuTestData;
import org.junit.jupiter.api.Test;

/** Where the switchover goes: at a postcopy stream's RUN, or right after the STARTs when asked. */
class SwitchoverChunkSourceTest {

    private static List<SequencedChunk> drain(ChunkSource s) {
        List<SequencedChunk> out = new ArrayList<>();
        while (s.hasNext()) {
            out.add(s.next());
        }
        return out;
    }

    private static List<Long> migrationWide(List<SequencedChunk> all) {
        return all.stream().filter(c -> c.chunk() instanceof Chunk.EndOfStream || c.chunk() instanceof Chunk.Switchover)
                .map(SequencedChunk::sequence).toList();
    }

    @Test
    void aPostcopyStreamSwitchesOverWhereItsRunCommandIs() throws Exception {
        MigrationRequest request = MigrationRequest.builder().migrationId("m1")
                .input(new MigrationInput.MigrationStreamFile(PostcopyFixture.load("pc1").stream())).build();
        try (MigrationPlan plan = MigrationPlanner.plan(request, 0)) {
            List<SequencedChunk> all = drain(plan.chunks());
            assertThat(all).filteredOn(c -> c.chunk() instanceof Chunk.Switchover).hasSize(1);
            int at = indexOfSwitchover(all);
            assertThat(all.subList(0, at)).noneMatch(c -> c.chunk() instanceof Chunk.Complete);
            assertThat(all.subList(at, all.size())).filteredOn(c -> c.chunk() instanceof Chunk.Complete).hasSize(2);
            // one key for EOS and switchover: its sequence numbers run on without a repeat
            List<Long> seqs = migrationWide(all);
            for (int i = 0; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).isEqualTo(i);
            }
            assertThat(((Chunk.EndOfStream) all.get(all.size() - 1).chunk()).manifest()).hasSize(2);
        }
    }

    @Test
    void aPrecopyStreamHasNoSwitchoverUnlessAsked() throws Exception {
        var stream = new MigrationInput.MigrationStreamFile(QemuTestData.file("streams/mig1-min.stream"));
        try (MigrationPlan plan = MigrationPlanner.plan(MigrationRequest.builder().input(stream).build(), 0)) {
            assertThat(drain(plan.chunks())).noneMatch(c -> c.chunk() instanceof Chunk.Switchover);
        }
        try (MigrationPlan plan = MigrationPlanner.plan(MigrationRequest.builder().input(stream).switchover(true)
                .build(), 0)) {
            List<SequencedChunk> all = drain(plan.chunks());
            // at the end, where QEMU's destination starts the VM after a precopy migration
            assertThat(indexOfSwitchover(all)).isEqualTo(all.size() - 1);
            // mig1-min: two EndOfStreams once runs of them are coalesced, then the switchover
            assertThat(migrationWide(all)).containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void skippingResumesExactlyAcrossTheSwitchover() throws Exception {
        MigrationRequest request = MigrationRequest.builder().migrationId("m1")
                .input(new MigrationInput.MigrationStreamFile(QemuTestData.file("streams/mig1-min.stream")))
                .switchover(true).build();
        List<SequencedChunk> whole;
        try (MigrationPlan plan = MigrationPlanner.plan(request, 0)) {
            whole = drain(plan.chunks());
        }
        for (int n : new int[] {0, 5, 7, 8, 12, whole.size()}) {
            try (MigrationPlan plan = MigrationPlanner.plan(request, 0)) {
                plan.chunks().skip(n);
                assertThat(drain(plan.chunks())).as("after skipping %d", n).isEqualTo(whole.subList(n, whole.size()));
            }
        }
    }

    private static int indexOfSwitchover(List<SequencedChunk> all) {
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).chunk() instanceof Chunk.Switchover) {
                return i;
            }
        }
        return -1;
    }
}
