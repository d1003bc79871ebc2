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
    void amountsShareTheUnitOfTheirTotal() {
        assertThat(ByteSize.of(2369)).isEqualTo("2.3 KiB");
        assertThat(ByteSize.of(512)).isEqualTo("512 B");
        assertThat(ByteSize.of(3L << 30)).isEqualTo("3.0 GiB");
        assertThat(ByteSize.ratio(1258291, 3L << 20)).isEqualTo("1.2/3.0 MiB");
        assertThat(ByteSize.ratio(0, 1023)).isEqualTo("0/1023 B");
        assertThat(ByteSize.ofBits(1000)).isEqualTo(125);
        assertThat(ByteSize.ofBits(1001)).isEqualTo(126);
    }

    @Test
    void printsAtStartAtPhaseChangesAtMostEveryIntervalAndAtTheEnd() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PublishListener l = new LineProgressRenderer(new PrintStream(buf, true, StandardCharsets.UTF_8), Duration.ofSeconds(1));
        l.started(new PublishProgress("m1", PublishPhase.SETUP, 1000, 1000, 0, 0, 0));
        l.progressed(new PublishProgress("m1", PublishPhase.SETUP, 1000, 1000, 1, 100, 1_000));
        l.progressed(new PublishProgress("m1", PublishPhase.BULK, 1000, 900, 2, 200, 2_000));
        l.progressed(new PublishProgress("m1", PublishPhase.BULK, 1000, 800, 3, 300, 3_000));
        l.progressed(new PublishProgress("m1", PublishPhase.BULK, 1000, 500, 4, 400, 1_500_000_000L));
        PublishProgress last = new PublishProgress("m1", PublishPhase.DONE, 1000, 0, 5, 2L << 20, 2_000_000_000L);
        l.finished(last, new PublishResult("m1", "t", List.of(), 5, 2L << 20, 2_000_000_000L));
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).containsExactly(
                "migration m1: SETUP   0.0%, 0/125 B of bitmap sent, 0 records (0 B) at 0 B/s",
                "migration m1: BULK  10.0%, 13/125 B of bitmap sent, 2 records (200 B) at 95.4 MiB/s",
                "migration m1: BULK  50.0%, 63/125 B of bitmap sent, 4 records (400 B) at 267 B/s",
                "migration m1: published 0 bitmaps in 5 records, 2.0 MiB in 2.0 s (1.0 MiB/s)");
    }
}
