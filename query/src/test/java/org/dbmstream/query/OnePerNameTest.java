package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A list shows each bitmap once, as a request for it answers: the replacing bitmap once both are complete
 * (until the replaced one's removal lands), the completed one while the replacing one loads.
 */
class OnePerNameTest {

    @Test
    void aListShowsTheBitmapARequestForItsNameAnswersWith() {
        final BitmapView old = view("m1", "complete", null, "bdis");
        final BitmapView replacing = view("m2", "complete", "m1", "bdis");
        final BitmapView loading = view("m3", "loading", "m2", "bdis");
        final BitmapView other = view("m1", "complete", null, "b4k");
        assertThat(QueryRoutes.onePerName(List.of(replacing, other, old))).containsExactly(other, replacing);
        assertThat(QueryRoutes.onePerName(List.of(loading, old))).containsExactly(old);
        assertThat(QueryRoutes.onePerName(List.of(loading))).containsExactly(loading);
    }

    private static BitmapView view(final String migration, final String state, final String replaces,
            final String name) {
        return new BitmapView("vm", "disk0", name, 65536, 1 << 30, true, false, true, state,
                "complete".equals(state) ? 1L : null, "complete".equals(state) ? "00" : null, migration, "disk0",
                name, 1, replaces, null, null);
    }
}
