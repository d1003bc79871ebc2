package org.dbmstream.topology.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which migrations count as silent: by their last chunk here or their last progress elsewhere. */
class SilentSourcesTest {

    @Test
    void aMigrationIsSilentOnlyAfterTheTimeoutSinceItsLastChunkOrProgress() {
        SilentSources s = new SilentSources(60_000);
        List<String> silent = new ArrayList<>();
        s.chunkArrived("a", 0);
        s.chunkArrived("b", 0);
        s.progressed("a", 50_000); // a bitmap of a completed on another partition
        s.progressed("c", 50_000); // not followed here: nothing to time out
        s.check(70_000, m -> true, (m, reason) -> silent.add(m));
        assertThat(silent).containsExactly("b");

        s.check(120_000, m -> false, (m, reason) -> silent.add(m));
        assertThat(silent).as("a has nothing loading here any more: forgotten, not cancelled").containsExactly("b");
        s.check(500_000, m -> true, (m, reason) -> silent.add(m));
        assertThat(silent).containsExactly("b");
    }

    @Test
    void zeroTurnsTheCheckOff() {
        SilentSources s = new SilentSources(0);
        assertThat(s.enabled()).isFalse();
        s.chunkArrived("a", 0);
        List<String> silent = new ArrayList<>();
        s.check(Long.MAX_VALUE / 2, m -> true, (m, reason) -> silent.add(m));
        assertThat(silent).isEmpty();
    }
}
