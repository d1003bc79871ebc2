package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.dbmstream.source.PublishPhase;
import org.dbmstream.source.PublishProgress;
import org.dbmstream.source.PublishResult;
import org.junit.jupiter.api.Test;

/** {@code migrate}'s bar as an 80-column terminal shows it: readable, with units, never wider than the screen. */
class TerminalProgressRendererTest {
    private static final String ID = "mig-3f2a9c1b-7d4e-4c55-9a0e-2b8f6c1d9e07";
    /** 2^30 bits: a 128 MiB bitmap (a 1 TiB disk at 1 KiB granularity). */
    private static final long BITS = 1L << 30;

    private static List<String> draw(final int columns, final long pendingBits) {
        final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        final TerminalProgressRenderer r = new TerminalProgressRenderer(
                new PrintStream(buf, true, StandardCharsets.UTF_8), columns);
        r.started(new PublishProgress(ID, PublishPhase.SETUP, BITS, BITS, 0, 0, 0));
        r.progressed(new PublishProgress(ID, PublishPhase.BULK, BITS, pendingBits, 64, 3L << 20, 1_000_000_000L));
        final PublishProgress last = new PublishProgress(ID, PublishPhase.DONE, BITS, 0, 9000, 130L << 20,
                4_000_000_000L);
        r.finished(last, new PublishResult(ID, "t", List.of(), 9000, 130L << 20, 4_000_000_000L));
        // each redraw starts with a carriage return; the last one ends with the line feed of close()
        return Arrays.stream(buf.toString(StandardCharsets.UTF_8).split("[\r\n]")).filter(s -> !s.isBlank())
                .toList();
    }

    @Test
    void atEightyColumnsTheBarIsReadableAndTheDetailsComeAfterIt() {
        final List<String> lines = draw(80, BITS / 4);

        assertThat(lines).isNotEmpty().allSatisfy(l -> {
            assertThat(DisplayWidth.of(l)).as(l).isLessThan(80);
            assertThat(l).startsWith("mig-3f2a9c1b… ").doesNotContain(ID).doesNotContain("bits");
            final String bar = l.substring(l.indexOf('[') + 1, l.indexOf(']'));
            assertThat(bar.length()).as(l).isGreaterThanOrEqualTo(20);
            assertThat(l.substring(l.indexOf(']'))).contains("MiB");
        });
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(" 75% [").contains("] 96.0/128.0 MiB BULK 3.0 MiB/s"));
        assertThat(lines.get(lines.size() - 1)).contains("100% [" + "█".repeat(10)).contains("] 128.0/128.0 MiB DONE");
    }

    @Test
    void onANarrowTerminalTheRateGoesBeforeTheBarShrinks() {
        assertThat(draw(60, BITS / 2)).allSatisfy(l -> assertThat(DisplayWidth.of(l)).as(l).isLessThan(60))
                .anySatisfy(l -> assertThat(l).contains(" 50% [").endsWith("] 64.0/128.0 MiB BULK"));
        assertThat(draw(48, BITS / 2)).allSatisfy(l -> assertThat(DisplayWidth.of(l)).as(l).isLessThan(48))
                .anySatisfy(l -> assertThat(l).contains(" 50% [").endsWith("] 64.0/128.0 MiB"));
    }

    @Test
    void shortIdsStayWholeAndSmallBitmapsCountInBytesOrKiB() {
        assertThat(ProgressLine.shortId("img1-mig")).isEqualTo("img1-mig");
        assertThat(ProgressLine.shortId(ID)).isEqualTo("mig-3f2a9c1b…");
        final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        final TerminalProgressRenderer r = new TerminalProgressRenderer(
                new PrintStream(buf, true, StandardCharsets.UTF_8), 80);
        final PublishProgress done = new PublishProgress("m1", PublishPhase.DONE, 16384, 0, 5, 2369, 1_000_000L);
        r.started(new PublishProgress("m1", PublishPhase.SETUP, 16384, 16384, 0, 0, 0));
        r.finished(done, new PublishResult("m1", "t", List.of(), 5, 2369, 1_000_000L));
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("m1 100% [").contains("] 2.0/2.0 KiB DONE");
    }
}
