package org.dbmstream.codec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.List;
import org.dbmstream.codec.InputTruncatedException;
import org.dbmstream.codec.TestData;
import org.dbmstream.codec.WireReader;
import org.dbmstream.codec.savevm.SavevmFormatException;
import org.dbmstream.codec.savevm.SavevmReader;
import org.dbmstream.codec.savevm.StreamBitmapBuilder;
import org.dbmstream.testkit.fuzz.AllocationMeter;
import org.dbmstream.testkit.fuzz.Mutation;
import org.dbmstream.testkit.fuzz.Mutator;
import org.junit.jupiter.api.Test;

/** Regression tests for what the fuzz suites found, each with the input they found it with. */
class FuzzFindingsTest {
    private static final Mutator STREAM = new Mutator(TestData.bytes("streams/mig1-min.stream"));

    @Test
    void bitsChunkWhoseBufferDoesNotCoverItsRangeIsAFormatErrorAtItsOffset() {
        // A flipped bit makes a BITS chunk claim 65536 sectors for a 1 KiB buffer (was IllegalStateException).
        final byte[] input = STREAM.apply(List.of(new Mutation(Mutation.Kind.FLIP_BIT, -1, 7047307949168423518L, 8)));
        assertThatThrownBy(() -> build(input, StreamBitmapBuilder.DEFAULT_MAX_BITMAP_BYTES))
                .isInstanceOfSatisfying(SavevmFormatException.class, e -> assertThat(e.offset()).isPositive())
                .hasMessageContaining("cannot apply Bits[disk0/pers4k sectors 1+65536 buf 1024]")
                .hasMessageContaining("buffer of 1024 bytes, need 1032").hasMessageContaining("(at offset 0x");
    }

    @Test
    void bitmapsLargerThanTheMemoryBoundAreRefusedBeforeTheyAreAllocated() {
        // A BITS chunk far past the disk's end made every bitmap of the node 4 MiB: 31 MB allocated.
        final byte[] input = STREAM.apply(List.of(new Mutation(Mutation.Kind.SET_BE16, -1, 5055271334315782472L,
                -4530291982145441L)));
        final var m = AllocationMeter.measure(() -> build(input, 4 << 20));
        assertThat(m.thrown()).isInstanceOf(SavevmFormatException.class)
                .hasMessageContaining("bytes of memory allowed").hasMessageContaining("(at offset 0x");
        assertThat(m.bytes()).isLessThan(8 << 20);
    }

    @Test
    void aLengthClaimingMoreThanTheInputHoldsAllocatesOnlyWhatIsThere() {
        // A vm description length of 16 MiB in a stream of a few bytes used to allocate 16 MiB at once.
        final var m = AllocationMeter.measure(() -> new WireReader(new ByteArrayInputStream(new byte[100]), 0)
                .readBytes(16 << 20, "vm description"));
        assertThat(m.thrown()).isInstanceOf(InputTruncatedException.class)
                .hasMessageContaining("input ends at offset 0x64 inside vm description");
        assertThat(m.bytes()).isLessThan(1 << 20);
    }

    private static void build(final byte[] input, final long maxBytes) throws Exception {
        try (SavevmReader r = SavevmReader.of(new ByteArrayInputStream(input), 4096)) {
            StreamBitmapBuilder.fromStream(r, maxBytes);
        }
    }
}
