package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetViewTest {
    private static final long NOW = 1_800_000_000_000L;

    @Test
    void aTargetWithoutASummaryYetHasOnlyItsCount() throws Exception {
        final TargetView v = TargetView.of("vm1", 3, null, NOW);
        assertThat(v.state()).isNull();
        assertThat(QueryRoutes.JSON.readTree(QueryRoutes.JSON.writeValueAsString(v)).get("complete").isNull()).isTrue();
    }

    @Test
    void theStateIsLoadingBeforeLaggingBeforeCurrent() {
        final TargetSummaries.Snapshot s = new TargetSummaries.Snapshot(Map.of(
                "a", new TargetSummaries.Summary(2, 1, 1, NOW - 5000, NOW - 1000),
                "b", new TargetSummaries.Summary(2, 0, 1, NOW - 5000, NOW - 1000),
                "c", new TargetSummaries.Summary(2, 0, 0, 0, NOW - 1000)), NOW);
        assertThat(List.of("a", "b", "c").stream().map(t -> TargetView.of(t, 3, s, NOW).state()))
                .containsExactly("loading", "lagging", "current");
        assertThat(TargetView.of("b", 2, s, NOW).lagAge()).isEqualTo(5.0);
        assertThat(TargetView.of("c", 2, s, NOW).lagAge()).isNull();
        // a target listed from the index before the background read saw it: no summary, no state yet
        assertThat(TargetView.of("new", 1, s, NOW).complete()).isNull();
        assertThat(TargetView.of("new", 1, s, NOW).state()).isNull();
    }

    @Test
    void instancesMergeBySumOldestLagNewestCompletionAndOldestRead() throws Exception {
        final TargetView a = new TargetView("vm1", 2, 2L, 0L, 1L, 30.0, "2026-12-06T10:00:00Z",
                "2026-12-06T10:05:00.250Z");
        final TargetView b = new TargetView("vm1", 3, 2L, 1L, 2L, 90.5, "2026-12-06T10:00:00.500Z",
                "2026-12-06T10:05:00Z");
        final TargetView m = a.merge(b);
        assertThat(m).isEqualTo(new TargetView("vm1", 5, 4L, 1L, 3L, 90.5, "2026-12-06T10:00:00.500Z",
                "2026-12-06T10:05:00Z"));
        assertThat(m.state()).isEqualTo("loading");
        // an instance without a summary yet adds its count only; a peer's JSON (with "state") reads back
        final TargetView none = new TargetView("vm1", 4, null, null, null, null, null, null);
        assertThat(none.merge(a)).isEqualTo(new TargetView("vm1", 6, 2L, 0L, 1L, 30.0, "2026-12-06T10:00:00Z",
                "2026-12-06T10:05:00.250Z"));
        assertThat(QueryRoutes.JSON.readValue(QueryRoutes.JSON.writeValueAsString(b), TargetView.class)).isEqualTo(b);
    }
}
