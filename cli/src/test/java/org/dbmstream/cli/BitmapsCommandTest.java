package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code dbm bitmaps}: options that mean nothing for a subcommand are refused (exit 2) before any request. */
class BitmapsCommandTest {

    @Test
    void rawBytesAndRemovalsHaveNoJson() {
        for (final String sub : new String[] {"raw", "rm"}) {
            final DbmRun run = sub.equals("raw")
                    ? DbmRun.of("bitmaps", "raw", "--json", "vm", "disk0", "b0", "-o", "-")
                    : DbmRun.of("bitmaps", "rm", "--json", "vm", "disk0", "b0");
            assertThat(run.exit()).as(sub).isEqualTo(2);
            assertThat(run.err()).as(sub).startsWith("dbm bitmaps " + sub + ": Unknown option: '--json'");
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void tablesTakeJson() {
        // parsed, then refused for the URL alone: --json itself is an option of list, show and extents
        for (final String sub : new String[] {"list", "show", "extents"}) {
            final DbmRun run = sub.equals("list") ? DbmRun.of("bitmaps", "list", "--json", "--url", "http://[")
                    : DbmRun.of("bitmaps", sub, "--json", "--url", "http://[", "vm", "disk0", "b0");
            assertThat(run.err()).as(sub).doesNotContain("Unknown option");
        }
    }

    /** The targets table's STATE and FRESHNESS from the API's summary, and what it shows when a field is odd or absent. */
    @Test
    void targetStateAndFreshnessColumns() throws Exception {
        final com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        final String recent = java.time.Instant.now().minusSeconds(300).toString();
        final var lagging = json.readTree("{\"target\":\"vm1\",\"bitmaps\":4,\"state\":\"lagging\",\"complete\":4,"
                + "\"loading\":0,\"lagging\":3,\"lagAge\":7265.5,\"lastCompleted\":\"" + recent + "\"}");
        assertThat(BitmapsCommand.targetState(lagging)).isEqualTo("lagging 3");
        assertThat(BitmapsCommand.targetFreshness(lagging)).isEqualTo("oldest read 2h ago");
        final var current = json.readTree("{\"target\":\"vm2\",\"bitmaps\":1,\"state\":\"current\",\"lagAge\":null,"
                + "\"lastCompleted\":\"" + recent + "\"}");
        assertThat(BitmapsCommand.targetState(current)).isEqualTo("current");
        assertThat(BitmapsCommand.targetFreshness(current)).isEqualTo("completed 5m ago");
        final var loading = json.readTree("{\"state\":\"loading\",\"loading\":2}");
        assertThat(BitmapsCommand.targetState(loading)).isEqualTo("loading 2");
        // not summarized yet (null fields), an older destination (no fields), a time this API never writes
        for (final String odd : new String[] {"{\"state\":null,\"lagAge\":null,\"lastCompleted\":null}", "{}",
            "{\"state\":\"\",\"lastCompleted\":\"yesterday\"}"}) {
            final var t = json.readTree(odd);
            assertThat(BitmapsCommand.targetState(t)).as(odd).isEqualTo("-");
            assertThat(BitmapsCommand.targetFreshness(t)).as(odd).isEqualTo("-");
        }
    }
}
