package org.dbmstream.bitmap.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.dbmstream.bitmap.DirtyBitmap;
import org.dbmstream.bitmap.Granularity;
import org.dbmstream.bitmap.QemuTestData;
import org.junit.jupiter.api.Test;

class MigrationSequencerTest {
    private static final long MIB64 = 64L << 20;

    private static List<MigrationBitmap> mig1() {
        return QemuTestData.mig1FinalBitmaps().stream()
                .map(qb -> new MigrationBitmap(qb.node(), qb.name(), qb.enabled(), qb.persistent(), qb.rebuild(MIB64)))
                .toList();
    }

    @Test
    void setupAndCompletionReproduceQemusMig1Sections() {
        MigrationSequencer seq = new MigrationSequencer(mig1());
        List<Chunk> setup = new ArrayList<>();
        seq.setup(setup::add);
        assertThat(setup).extracting(Mig1Chunks::describe).containsExactlyElementsOf(Mig1Chunks.section("START"));
        assertThat(setup.get(0)).isEqualTo(Chunk.Start.of("disk0", "newpers", Granularity.of(65536), true, true, MIB64));

        List<Chunk> end = new ArrayList<>();
        seq.complete(end::add);
        assertThat(end).extracting(Mig1Chunks::describe).containsExactlyElementsOf(Mig1Chunks.section("END"));
        Chunk.EndOfStream eos = (Chunk.EndOfStream) end.get(end.size() - 1);
        assertThat(eos.manifest()).extracting(Chunk.BitmapRef::bitmapAlias)
                .containsExactly("newpers", "rtdis", "rt1m", "persdis", "pers4k", "pers64k");
        assertThat(seq.pendingBits()).isZero();
    }

    @Test
    void rateLimitedIterationsSendOneChunkEachAndPendingFollowsQemu() {
        MigrationSequencer seq = new MigrationSequencer(mig1());
        seq.setup(c -> { });
        // 64 MiB: 1024 bits per 64 KiB bitmap (4 of them), 64 at 1 MiB, 16384 at 4 KiB
        assertThat(seq.pendingBits()).isEqualTo(4 * 1024 + 64 + 16384);
        List<Chunk> sent = new ArrayList<>();
        List<Integer> perIteration = new ArrayList<>();
        boolean done = false;
        while (!done) {
            int before = sent.size();
            done = seq.iterate(sent::add, () -> true);
            perIteration.add(sent.size() - before);
            assertThat(sent.get(sent.size() - 1)).isEqualTo(Chunk.EndOfStream.empty());
            if (perIteration.size() == 5) {
                // newpers, rtdis, rt1m, persdis done; pers4k half sent (65536 of 131072 sectors)
                assertThat(seq.pendingBits()).isEqualTo(8192 + 1024);
            }
        }
        // As QEMU: the limit is hit right after the 7th and last chunk, so only the next iteration
        // finds every bitmap done and reports the bulk phase complete (sending EOS alone).
        assertThat(perIteration).containsExactly(2, 2, 2, 2, 2, 2, 2, 1);
        assertThat(seq.bulkCompleted()).isTrue();
        assertThat(seq.pendingBits()).isZero();
        List<Chunk> more = new ArrayList<>();
        assertThat(seq.iterate(more::add, () -> false)).isTrue();
        assertThat(more).containsExactly(Chunk.EndOfStream.empty());
        List<Chunk> end = new ArrayList<>();
        seq.complete(end::add);
        assertThat(end).hasSize(7).allMatch(c -> c instanceof Chunk.Complete || c instanceof Chunk.EndOfStream);
    }

    @Test
    void completionSendsWhatTheBulkPhaseLeft() {
        MigrationSequencer seq = new MigrationSequencer(mig1());
        seq.setup(c -> { });
        List<Chunk> sent = new ArrayList<>();
        int[] n = {0};
        seq.iterate(sent::add, () -> ++n[0] >= 3);
        seq.complete(sent::add);
        List<String> bits = sent.stream().filter(c -> c instanceof Chunk.Bits).map(Mig1Chunks::describe).toList();
        assertThat(bits).containsExactlyElementsOf(
                Mig1Chunks.section("END").stream().filter(d -> d.startsWith("BITS")).toList());
    }

    @Test
    void aChunkTheSinkRefusedIsSentAgain() {
        DirtyBitmap b = new DirtyBitmap(MIB64, Granularity.of(512));
        b.markDirty(0, 1);
        MigrationSequencer seq = new MigrationSequencer(List.of(new MigrationBitmap("n", "b", true, false, b)));
        seq.setup(c -> { });
        assertThatThrownBy(() -> seq.iterate(c -> {
            throw new IllegalStateException("broker down");
        }, () -> true)).hasMessage("broker down");
        List<Chunk> sent = new ArrayList<>();
        seq.iterate(sent::add, () -> true);
        assertThat(((Chunk.Bits) sent.get(0)).firstSector()).isZero();
    }

    @Test
    void phasesMustComeInOrderAndBitmapsOnce() {
        MigrationSequencer seq = new MigrationSequencer(mig1());
        assertThatThrownBy(() -> seq.iterate(c -> { }, () -> false)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> seq.complete(c -> { })).isInstanceOf(IllegalStateException.class);
        seq.setup(c -> { });
        assertThatThrownBy(() -> seq.setup(c -> { })).isInstanceOf(IllegalStateException.class);
        seq.complete(c -> { });
        assertThatThrownBy(() -> seq.complete(c -> { })).hasMessageContaining("phase DONE");
        MigrationBitmap one = mig1().get(0);
        assertThatThrownBy(() -> new MigrationSequencer(List.of(one, one))).hasMessageContaining("listed twice");
    }

    @Test
    void noBitmapsGivesBareEndsOfStream() {
        MigrationSequencer seq = new MigrationSequencer(List.of());
        List<Chunk> sent = new ArrayList<>();
        seq.setup(sent::add);
        seq.complete(sent::add);
        assertThat(sent).containsExactly(Chunk.EndOfStream.empty(), Chunk.EndOfStream.empty());
    }
}
