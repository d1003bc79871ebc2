package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An answer merged from several instances is given only when their answers covered every partition. */
class CoverageTest {

    @Test
    void everyPartitionLookedAtAnswers() {
        Coverage c = new Coverage(Set.of(0, 3));
        c.add(Optional.of("1,2"), new Peers.Peer("http://b", Set.of()));
        c.add(Optional.of("4,5"), new Peers.Peer("http://c", Set.of()));
        assertThatCode(() -> c.requireAll(6)).doesNotThrowAnyException();
    }

    @Test
    void aPartitionNobodyCoveredIsUnavailableNotAbsent() {
        Coverage c = new Coverage(Set.of(0, 1));
        // the peer the assignment says holds 2 and 3 answered for 3 only (2 was still restoring there)
        c.add(Optional.of("3"), new Peers.Peer("http://b", Set.of(2, 3)));
        assertThatThrownBy(() -> c.requireAll(4)).isInstanceOf(Unavailable.class)
                .hasMessageContaining("partition(s) [2]");
        assertThatThrownBy(() -> new Coverage(Set.of()).requireAll(1)).isInstanceOf(Unavailable.class);
    }

    @Test
    void anInstanceWithoutTheHeaderCoversItsAssignment() {
        // a rolling upgrade: an instance of an earlier version answers without the header
        Coverage c = new Coverage(Set.of(0));
        c.add(Optional.empty(), new Peers.Peer("http://old", Set.of(1, 2)));
        assertThatCode(() -> c.requireAll(3)).doesNotThrowAnyException();
    }

    @Test
    void theHeaderRoundTrips() {
        assertThat(Coverage.header(Set.of(5, 0, 2))).isIn("0,2,5", "5,0,2", "0,5,2", "2,0,5", "2,5,0", "5,2,0");
        assertThat(Coverage.parse(Coverage.header(new java.util.TreeSet<>(Set.of(5, 0, 2))))).containsExactly(0, 2, 5);
        assertThat(Coverage.parse("")).isEmpty();
    }
}
