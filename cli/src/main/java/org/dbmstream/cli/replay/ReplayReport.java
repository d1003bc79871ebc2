package org.dbmstream.cli.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** How {@code dbm replay} prints its rows: a line per bitmap, or JSON objects. */
final class ReplayReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReplayReport() {
    }

    static String line(ReplayRun.Row r) {
        String verdict = r.equal() ? "equal" : r.liveSha256() == null ? "not in live" : r.replaySha256() == null
                ? "missing in replay" : "DIFFERS";
        return String.format("%-12s %s %s/%s live sha256=%s count=%d replay sha256=%s count=%d", verdict,
                r.migration(), r.node(), r.bitmap(), r.liveSha256(), r.liveCount(), r.replaySha256(), r.replayCount());
    }

    static String json(ReplayRun.Row r) {
        ObjectNode n = JSON.createObjectNode().put("migration", r.migration()).put("node", r.node())
                .put("bitmap", r.bitmap()).put("live_sha256", r.liveSha256()).put("live_count", r.liveCount())
                .put("replay_sha256", r.replaySha256()).put("replay_count", r.replayCount()).put("equal", r.equal());
        return n.toString();
    }

    static String summary(ReplayRun.Result r, String prefix) {
        long equal = r.rows().stream().filter(ReplayRun.Row::equal).count();
        return String.format("Replayed %d migration(s) (%d ended, %d chunks) on topics %s*: %d of %d bitmap(s) equal",
                r.migrations().size(), r.finished(), r.chunksCopied(), prefix, equal, r.rows().size());
    }

    static String summaryJson(ReplayRun.Result r, String prefix) {
        return JSON.createObjectNode().put("migrations", r.migrations().size()).put("ended", r.finished())
                .put("chunks", r.chunksCopied()).put("bitmaps", r.rows().size())
                .put("equal", r.rows().stream().filter(ReplayRun.Row::equal).count()).put("topic_prefix", prefix)
                .put("all_equal", r.allEqual()).toString();
    }
}
