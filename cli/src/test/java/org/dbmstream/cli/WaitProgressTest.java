package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A long wait for the destination is never silent: a line at each interval says how far it is. */
class WaitProgressTest {

    @Test
    void saysHowManyBitmapsFinishedUntilClosed() throws Exception {
        final StringWriter err = new StringWriter();
        try (WaitProgress p = WaitProgress.start("dbm migrate", new PrintWriter(err, true), 3, Duration.ofMinutes(10),
                Duration.ofMillis(50))) {
            p.bitmapFinished();
            p.bitmapFinished();
            Thread.sleep(300);
        }
        final int lines = err.toString().split("\n").length;
        assertThat(err.toString()).contains("dbm migrate: waiting for the destination: 2 of 3 bitmap(s) finished, ")
                .contains(" s (--timeout 10m)");
        Thread.sleep(200);
        assertThat(err.toString().split("\n")).as("nothing after close").hasSize(lines);
    }

    @Test
    void durationsReadAsTheOptionsTakeThem() {
        assertThat(WaitProgress.human(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(WaitProgress.human(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(WaitProgress.human(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(WaitProgress.human(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }
}
