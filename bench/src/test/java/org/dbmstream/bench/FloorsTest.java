package org.dbmstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class FloorsTest {

    @Test
    void fastestIsTheShortestRun() {
        assertThat(Floors.fastest(List.of(30L, 10L, 20L))).isEqualTo(10L);
        assertThatThrownBy(() -> Floors.fastest(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(Floors.median(List.of(5L, 1L, 3L))).isEqualTo(3.0);
        assertThat(Floors.median(List.of(4L, 1L, 3L, 2L))).isEqualTo(2.5);
    }

    @Test
    void ratioCeilingWithoutLatencyIsTheDecodeRatio() {
        assertThat(Floors.ratioCeiling(1000, 500, 3, 0, 1000)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void ratioCeilingChargesTheLatencyFloorOncePerRun() {
        // 100,000 chunks at 200K/s = 0.5 s, plus 3 runs x 0.25 s = 1.25 s: 80K/s over a 1M/s baseline
        assertThat(Floors.ratioCeiling(100_000, 200_000, 3, 0.25, 1_000_000)).isCloseTo(0.08, within(1e-12));
    }

    @Test
    void ratioCeilingRefusesMeaninglessInput() {
        assertThatThrownBy(() -> Floors.ratioCeiling(0, 1, 1, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Floors.ratioCeiling(1, 1, 1, -1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void perSecond() {
        assertThat(Floors.perSecond(1000, 500_000_000L)).isEqualTo(2000.0);
    }

    @Test
    void jitShareIsCompileTimeOverWallTime() {
        assertThat(Floors.jitShare(250, 1_000_000_000L)).isEqualTo(0.25);
        assertThat(Floors.jitShare(-1, 1_000_000_000L)).isZero();
    }
}
