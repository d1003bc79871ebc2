package org.dbmstream.qcow2.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.dbmstream.qcow2.Qcow2Bitmap;
import org.dbmstream.qcow2.Qcow2Exception;
import org.dbmstream.qcow2.Qcow2Image;
import org.dbmstream.testkit.QemuTestData;
import org.dbmstream.testkit.fuzz.AllocationMeter;
import org.dbmstream.testkit.fuzz.FuzzRunner;
import org.dbmstream.testkit.fuzz.FuzzVerdict;
import org.dbmstream.testkit.fuzz.Mutator;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the qcow2 bitmap reader with images QEMU made, mutated where their structure lies (header,
 * extensions, bitmap directory, bitmap tables) and anywhere: every image gives its bitmaps' QEMU
 * sha256/count or a {@link Qcow2Exception} with a message, never another exception, a hang or an
 * allocation beyond the bound. Tables made to point at themselves, at the header or at each other
 * are among the inputs (the structures' offsets are the mutations' favourite values).
 */
class Qcow2ReaderFuzzTest {
    private static final String[] IMAGES = {"images/img5.qcow2.gz", "images/img5-ones.qcow2.gz",
        "../qcow2-extra/names.qcow2.gz", "../qcow2-extra/odd1m-tailbits.qcow2.gz"};
    private static final List<Mutator> SEEDS = seeds();

    @Test
    void mutatedImagesGiveTheirBitmapsOrAQcow2Error() {
        assertBothPaths(FuzzRunner.run("qcow2 reader", rnd -> {
            final Mutator seed = SEEDS.get(rnd.nextInt(SEEDS.size()));
            final var ms = seed.randomMutations(rnd, 3);
            return new FuzzRunner.Input(seed.apply(ms), ms);
        }, Qcow2ReaderFuzzTest::read));
    }

    private static boolean read(final byte[] image) {
        final var m = AllocationMeter.measure(() -> {
            try (Qcow2Image img = Qcow2Image.open(new ByteArrayChannel(image))) {
                for (final Qcow2Bitmap b : img.bitmaps()) {
                    if (!b.inconsistent()) {
                        img.report(b);
                        if (b.bitCount() <= 1 << 24) {
                            img.load(b.name());
                        }
                    }
                }
            }
        });
        // The bound leaves room for bitmaps loaded whole (at most 2 MiB each here) and the digest's work.
        return FuzzVerdict.check(image, m, 16, "", Qcow2Exception.class) != null;
    }

    /** Each image with its header, directory and tables as regions and their offsets as hot values. */
    private static List<Mutator> seeds() {
        final List<Mutator> out = new ArrayList<>();
        for (final String name : IMAGES) {
            final byte[] b = QemuTestData.bytes(name);
            final ByteBuffer h = ByteBuffer.wrap(b);
            final List<long[]> regions = new ArrayList<>();
            final List<Long> hot = new ArrayList<>(List.of((long) b.length, 1L << h.getInt(20)));
            regions.add(new long[] {0, 512});
            for (int pos = h.getInt(100); h.getInt(pos) != 0; pos += 8 + ((h.getInt(pos + 4) + 7) & -8)) {
                if (h.getInt(pos) == 0x23852875) { // the bitmaps extension: where the directory is
                    regions.add(new long[] {h.getLong(pos + 24), h.getLong(pos + 16)});
                    hot.add(h.getLong(pos + 24));
                }
            }
            try (Qcow2Image img = Qcow2Image.open(new ByteArrayChannel(b))) {
                for (final Qcow2Bitmap bm : img.bitmaps()) {
                    regions.add(new long[] {bm.tableOffset(), bm.tableSize() * 8L});
                    hot.add(bm.tableOffset());
                    final long first = h.getLong((int) bm.tableOffset()) & 0x00fffffffffffe00L;
                    if (first != 0) {
                        hot.add(first);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.add(new Mutator(b, regions.toArray(long[][]::new))
                    .withHotValues(hot.stream().mapToLong(Long::longValue).toArray()));
        }
        return out;
    }

    /** Every try ran, and the mutations reached both the readers' success and their named-error paths. */
    private static void assertBothPaths(final FuzzRunner.Summary summary) {
        assertThat(summary.refused()).as(summary.toString()).isPositive().isLessThan(summary.tries());
    }
}
