package org.dbmstream.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

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
        ChaosResult r = ChaosRuns.run(new ChaosRun.Settings(6, 2, 2, 3, 12L, Duration.ofMinutes(3), dir), progress);
        String json = r.json();
        assertThat(r.kills()).as(json).isEqualTo(2);
        assertThat(r.brokers().restarts()).as(json).isEqualTo(1);
        assertThat(r.publisherKills()).as(json).isEqualTo(1);
        assertThat(r.unfinished()).as(json + "\n" + progress).isZero();
        assertThat(r.counts().notes).as(json).allMatch(n -> n.contains("publisher killed"));
        assertThat(r.counts().clean()).as(json + "\n" + progress).isTrue();
        assertThat(r.migrations()).isEqualTo(7);
    }
}
