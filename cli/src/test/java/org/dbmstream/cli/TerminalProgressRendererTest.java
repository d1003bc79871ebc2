package org.dbmstream.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TerminalProgressRendererTest {
    @Test
    void drawsABarOfBitsSentWithThePhase() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TerminalProgressRenderer r = new TerminalProgressRenderer(new PrintStream(buf, true, StandardCharsets.UTF_8));
        r.started(new PublishProgress("m1", PublishPhase.SETUP, 1000, 1000, 0, 0, 0));
        r.progressed(new PublishProgress("m1", PublishPhase.BULK, 1000, 400, 64, 4096, 1_000_000));
        PublishProgress last = new PublishProgress("m1", PublishPhase.DONE, 1000, 0, 100, 8192, 2_000_000);
        r.finished(last, new PublishResult("m1", "t", List.of(), 100, 8192, 2_000_000));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("migration m1").contains("100%").contains("1000/1000").contains("DONE");
    }
}
