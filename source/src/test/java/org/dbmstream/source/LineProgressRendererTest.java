package org.dbmstream.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineProgressRendererTest {
    @Test
    void printsAtStartAtPhaseChangesAtMostEveryIntervalAndAtTheEnd() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PublishListener l = ProgressRenderers.lines(new PrintStream(buf, true, StandardCharsets.UTF_8), Duration.ofSeconds(1));
        l.started(new PublishProgress("m1", PublishPhase.SETUP, 1000, 1000, 0, 0, 0));
        l.progressed(new PublishProgress("m1", PublishPhase.SETUP, 1000, 1000, 1, 100, 1_000));
        l.progressed(new PublishProgress("m1", PublishPhase.BULK, 1000, 900, 2, 200, 2_000));
        l.progressed(new PublishProgress("m1", PublishPhase.BULK, 1000, 800, 3, 300, 3_000));
        l.progressed(new PublishProgress("m1", PublishPhase.BULK, 1000, 500, 4, 400, 1_500_000_000L));
        PublishProgress last = new PublishProgress("m1", PublishPhase.DONE, 1000, 0, 5, 2L << 20, 2_000_000_000L);
        l.finished(last, new PublishResult("m1", "t", List.of(), 5, 2L << 20, 2_000_000_000L));
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).containsExactly(
                "migration m1: SETUP   0.0% (1000 of 1000 bits pending), 0 records, 0.0 KiB, 0.00 MiB/s",
                "migration m1: BULK  10.0% (900 of 1000 bits pending), 2 records, 0.2 KiB, 95.37 MiB/s",
                "migration m1: BULK  50.0% (500 of 1000 bits pending), 4 records, 0.4 KiB, 0.00 MiB/s",
                "migration m1: published 0 bitmaps in 5 records, 2.0 MiB in 2.0 s (1.00 MiB/s)");
    }
}
