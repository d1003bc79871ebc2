package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code dbm chaos} refuses settings it cannot run before it plans or starts anything: one line naming the
 * option, exit 2, and nothing on stdout (no JSON line of a run that never happened).
 */
class ChaosArgumentsTest {

    @Test
    void twoBrokersAreNoClusterThatKeepsAQuorum() {
        DbmRun run = DbmRun.of("chaos", "--brokers", "2");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("dbm chaos: --brokers 2: 1, or 3 and more (a cluster that keeps a quorum "
                + "when one node is down)");
    }

    @Test
    void queriesDuringAFailoverNeedAnotherInstanceToAsk() {
        DbmRun run = DbmRun.of("chaos", "--brokers", "3", "--destinations", "3", "--scale", "2,1", "--queries");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("dbm chaos: --queries needs 2 or more destinations at the end");
    }

    @Test
    void countsBelowTheirLeastAreRefused() {
        assertThat(DbmRun.of("chaos", "--scale", "3,0").err())
                .startsWith("dbm chaos: --destinations, --partitions and every --scale count must be at least 1");
        DbmRun negative = DbmRun.of("chaos", "--brokers", "3", "--broker-kills", "-1");
        assertThat(negative.exit()).isEqualTo(2);
        assertThat(negative.err()).startsWith("dbm chaos: --migrations, --kills, --broker-kills and --volume-mib must "
                + "not be negative");
    }
}
