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
}
