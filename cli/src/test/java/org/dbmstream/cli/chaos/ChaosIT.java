package org.dbmstream.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short chaos run (issue 12): a standalone broker process restarted once, two destination JVMs
 * SIGKILLed and restarted, a publishing process killed mid-migration and retried. Every migration must
 * end with exactly one final event, the expected one, every bitmap with the generator's sha256/count.
 */
class ChaosIT {

    @Test
    void nothingLostDuplicatedMismatchedOrWronglyEnded(@TempDir Path dir) throws Exception {
        StringWriter progress = new StringWriter();
        ChaosRun.Result r = new ChaosRun(new ChaosRun.Settings(6, 2, 2, 3, 12L, Duration.ofMinutes(3), dir),
                new PrintWriter(progress)).run();
        String json = ChaosCommand.json(r, 12L, 1.5);
        assertThat(r.kills()).as(json).isEqualTo(2);
        assertThat(r.brokerRestarts()).as(json).isEqualTo(1);
        assertThat(r.publisherKills()).as(json).isEqualTo(1);
        assertThat(r.unfinished()).as(json + "\n" + progress).isZero();
        assertThat(r.counts().notes).as(json).allMatch(n -> n.contains("publisher killed"));
        assertThat(r.counts().clean()).as(json + "\n" + progress).isTrue();
        assertThat(r.migrations()).isEqualTo(7);
        assertThat(json).endsWith("\"seed\": 12, \"seconds\": 1.5}");
        // the wait for the final events and the shutdown say what they do
        assertThat(progress.toString()).contains("7 of 7 migrations have their final event; reading 5 s more")
                .contains("stopping 2 destination instances and the broker");
    }
}
