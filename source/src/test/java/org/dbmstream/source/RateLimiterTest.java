package org.dbmstream.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateLimiterTest {
    /** A clock that only moves when the limiter sleeps. */
    private long now = 1_000_000_000L;
    private long slept;

    private RateLimiter limiter(long rate) {
        return RateLimiter.of(rate, () -> now, nanos -> {
            slept += nanos;
            now += nanos;
        });
    }

    @Test
    void longRunRateNeverExceedsTheLimit() throws InterruptedException {
        RateLimiter l = limiter(1_000_000);
        long start = now;
        for (int i = 0; i < 1000; i++) {
            l.acquire(10_000);
        }
        // 10 MB at 1 MB/s: 10 s, less the 100 ms burst allowance
        assertThat(now - start).isEqualTo(10_000_000_000L - RateLimiter.BURST_NANOS);
    }

    @Test
    void aBurstOfOneSliceGoesThroughWithoutWaiting() throws InterruptedException {
        RateLimiter l = limiter(1_000_000);
        l.acquire(100_000);
        assertThat(slept).isZero();
        l.acquire(1);
        assertThat(slept).isPositive();
    }

    @Test
    void idleTimeDoesNotBuildUpCredit() throws InterruptedException {
        RateLimiter l = limiter(1_000);
        l.acquire(100);
        now += 60_000_000_000L;
        long before = now;
        l.acquire(100);
        l.acquire(1_000);
        assertThat(now - before).isEqualTo(1_000_000_000L);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> RateLimiter.of(0)).hasMessageContaining("rate limit must be positive");
        assertThatThrownBy(() -> limiter(10).acquire(-1)).hasMessageContaining("negative");
    }

    @Test
    void hugeCountsDoNotOverflow() {
        RateLimiter l = limiter(3);
        assertThat(l.nanosFor(Long.MAX_VALUE / 4)).isPositive();
        assertThat(l.nanosFor(3)).isEqualTo(1_000_000_000L);
    }
}
