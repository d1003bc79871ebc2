package org.dbmstream.bitmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GranularityTest {

    @ParameterizedTest
    @ValueSource(longs = {0, 256, 511, 513, 3 * 512, 1L << 32, -512})
    void refusesWhatQemuRefuses(long bytes) {
        assertThatThrownBy(() -> Granularity.of(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two from 512 B to 2 GiB");
    }

    @Test
    void acceptsEveryPowerOfTwoFrom512BTo2GiB() {
        for (int shift = 9; shift <= 31; shift++) {
            assertThat(Granularity.of(1L << shift).shift()).isEqualTo(shift);
        }
    }

    @Test
    void bitCountIsCeilOfSizeOverGranularity() {
        Granularity g = Granularity.of(65536);
        assertThat(g.bitsFor(0)).isZero();
        assertThat(g.bitsFor(1)).isEqualTo(1);
        assertThat(g.bitsFor(65536)).isEqualTo(1);
        assertThat(g.bitsFor(65537)).isEqualTo(2);
        assertThat(g.bitsFor(1L << 30)).isEqualTo(16384);
        assertThat(Granularity.of(512).bitsFor(1L << 40)).isEqualTo(1L << 31);
        assertThatThrownBy(() -> g.bitsFor(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sectorsPerChunkMatchesQemuAndIsComputedIn64Bits() {
        // mig1: a 4 KiB bitmap's first chunk spans 65536 sectors.
        assertThat(Granularity.of(4096).sectorsPerChunk()).isEqualTo(65536);
        assertThat(Granularity.of(512).sectorsPerChunk()).isEqualTo(8192);
        assertThat(Granularity.of(65536).sectorsPerChunk()).isEqualTo(1048576);
        // 1024 * 8 * (2 GiB / 512) = 2^35: overflows 32 bits.
        assertThat(Granularity.of(1L << 31).sectorsPerChunk()).isEqualTo(1L << 35).isGreaterThan(0xffffffffL);
    }
}
