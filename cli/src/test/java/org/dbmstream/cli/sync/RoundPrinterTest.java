package org.dbmstream.cli.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.dbmstream.source.sync.BitmapIdentity;
import org.dbmstream.source.sync.BitmapOutcome;
import org.dbmstream.source.sync.BitmapOutcome.Result;
import org.dbmstream.source.sync.RoundResult;
import org.junit.jupiter.api.Test;

/** What {@code dbm sync} prints per bitmap and per round, as text (the README shows it) and as JSON. */
class RoundPrinterTest {
    private static final String SHA = "3fac9b904961654c50f7efb38dbe5535d9ab6302bbe50eede286b227f367959c";
    private static final BitmapIdentity B = new BitmapIdentity("vm-1", "vm1", "backup-1");
    private static final RoundResult ROUND = new RoundResult(3, List.of(
            new BitmapOutcome(B, Result.DELTA, 1, 1024, SHA, 1179648, null),
            new BitmapOutcome(new BitmapIdentity("vm-1", "vm1", "fine"), Result.REMOVED, 0, 0, null, -1, null),
            new BitmapOutcome(new BitmapIdentity("vm-1", "vm1", "new"), Result.FULL, 320, 2048, SHA, 7, "new"),
            new BitmapOutcome(new BitmapIdentity("vm-1", "vm1", "bad"), Result.FAILED, 0, 0, null, -1,
                    "the destination did not answer within 10m")),
            List.of("sync-1"), 10, 3260, 1100);

    @Test
    void linesCutDigestsAndSayAmountsInTheCommandsUnits() {
        StringWriter text = new StringWriter();
        new RoundPrinter(new PrintWriter(text), false, false).print(ROUND);
        assertThat(text.toString().split("\\R")).containsExactly(
                "round 3: vm1/backup-1  delta 1 chunk(s), 1.0 KiB  count 1179648 sha256 3fac9b904961...",
                "round 3: vm1/fine  removed",
                "round 3: vm1/new  full (new) 320 chunk(s), 2.0 KiB  count 7 sha256 3fac9b904961...",
                "round 3: vm1/bad  failed: the destination did not answer within 10m",
                "round 3 done in 1.1 s: 0 unchanged, 1 delta, 1 full, 1 removed, 1 failed; 1 migration(s), "
                        + "10 records, 3.2 KiB");
    }

    @Test
    void wideLinesKeepWholeDigests() {
        assertThat(RoundPrinter.line(3, ROUND.bitmaps().get(0), true)).endsWith("sha256 " + SHA);
    }

    @Test
    void jsonHasOneObjectPerBitmapAndOnePerRound() throws Exception {
        StringWriter text = new StringWriter();
        new RoundPrinter(new PrintWriter(text), true, false).print(ROUND);
        String[] lines = text.toString().split("\\R");
        assertThat(lines).hasSize(5);
        ObjectMapper json = new ObjectMapper();
        JsonNode delta = json.readTree(lines[0]);
        assertThat(delta.path("type").asText()).isEqualTo("bitmap");
        assertThat(delta.path("result").asText()).isEqualTo("delta");
        assertThat(delta.path("sha256").asText()).isEqualTo(SHA);
        assertThat(delta.path("count").asLong()).isEqualTo(1179648);
        assertThat(json.readTree(lines[1]).path("count").isNull()).isTrue();
        JsonNode round = json.readTree(lines[4]);
        assertThat(round.path("type").asText()).isEqualTo("round");
        assertThat(round.path("failed").asLong()).isEqualTo(1);
        assertThat(round.path("bytes").asLong()).isEqualTo(3260);
        assertThat(round.path("migrations").get(0).asText()).isEqualTo("sync-1");
    }
}
