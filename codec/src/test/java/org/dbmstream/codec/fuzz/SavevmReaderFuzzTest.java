package org.dbmstream.codec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;
import org.dbmstream.codec.ChunkFormatException;
import org.dbmstream.codec.TestData;
import org.dbmstream.codec.savevm.SavevmFormatException;
import org.dbmstream.codec.savevm.SavevmReader;
import org.dbmstream.codec.savevm.StreamBitmapBuilder;
import org.dbmstream.testkit.fuzz.AllocationMeter;
import org.dbmstream.testkit.fuzz.FuzzRunner;
import org.dbmstream.testkit.fuzz.FuzzVerdict;
import org.dbmstream.testkit.fuzz.Mutator;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the migration stream reader as {@code dbm inspect} uses it (reader, name carry-over and the
 * bitmap builder) with a stream QEMU wrote, mutated plain and mutated after gzip: every input gives
 * bitmaps or a {@link SavevmFormatException} / {@link ChunkFormatException} naming an offset, within
 * the allocation bound (the builder holds at most 4 MiB per bitmap here).
 */
class SavevmReaderFuzzTest {
    private static final byte[] PLAIN = TestData.bytes("streams/mig1-min.stream");
    /** Hot values: the stream's section ids, a 16 MiB vm description length, the stream's length. */
    private static final long[] HOT = {1, 2, 3, 16 << 20, PLAIN.length};
    private static final long MAX_BITMAP = 4 << 20;

    @Test
    void plainStreamGivesBitmapsOrAnErrorAtAnOffset() {
        final Mutator stream = new Mutator(PLAIN, new long[] {0, 64}).withHotValues(HOT);
        assertBothPaths(FuzzRunner.run("savevm reader", FuzzRunner.mutations(stream, 4), SavevmReaderFuzzTest::read));
    }

    @Test
    void gzipStreamGivesBitmapsOrAnErrorAtAnOffset() {
        final Mutator gzip = new Mutator(gzip(PLAIN), new long[] {0, 32}).withHotValues(HOT);
        assertBothPaths(FuzzRunner.run("savevm reader, gzip", FuzzRunner.mutations(gzip, 4),
                SavevmReaderFuzzTest::read));
    }

    private static boolean read(final byte[] input) {
        final var m = AllocationMeter.measure(() -> {
            try (SavevmReader r = SavevmReader.of(new ByteArrayInputStream(input), 4096)) {
                StreamBitmapBuilder.fromStream(r, MAX_BITMAP);
            }
        });
        return FuzzVerdict.check(input, m, 64, "at offset 0x", SavevmFormatException.class,
                ChunkFormatException.class) != null;
    }

    private static byte[] gzip(final byte[] b) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Every try ran, and the mutations reached both the readers' success and their named-error paths. */
    private static void assertBothPaths(final FuzzRunner.Summary summary) {
        assertThat(summary.refused()).as(summary.toString()).isPositive().isLessThan(summary.tries());
    }
}
