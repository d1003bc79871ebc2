package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.dbmstream.query.QueryingDestination;
import org.dbmstream.serdes.Topics;
import org.dbmstream.source.MigrationRequest;
import org.dbmstream.source.sync.BitmapOutcome;
import org.dbmstream.source.sync.RoundResult;
import org.dbmstream.source.sync.SyncSession;
import org.dbmstream.testkit.QemuStorageDaemon;
import org.dbmstream.testkit.QemuTools;
import org.dbmstream.testkit.QmpClient;
import org.dbmstream.topology.DestinationConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeping a live VM's replica current (DESIGN.md section 12), against a real qemu-storage-daemon: a writable NBD
 * export of a qcow2 node whose enabled bitmaps record every write made through it with qemu-io. 52 rounds of
 * random writes; bitmaps are added and removed on the way (QMP). After every round the replica, read through the
 * query API, holds exactly QEMU's bitmaps, each with QEMU's own {@code x-debug-block-dirty-bitmap-sha256} and
 * {@code count}. The first rounds run as {@code dbm sync}; the rest through the same session code, so the test
 * stays short.
 */
class LiveSyncIT {
    private static final String NODE = QemuStorageDaemon.NODE;
    private static final String TARGET = "vm-live";
    private static final long DISK = 1L << 30;
    private static final int ROUNDS = 52;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final Map<String, Long> granularities = new TreeMap<>();
    private int generation;
    private String export;

    @Test
    void everyRoundLeavesTheReplicaEqualToQemusBitmaps() throws Exception {
        assumeTrue(QemuTools.available("qemu-storage-daemon", "qemu-io", "qemu-img"), "QEMU is not installed");
        Path image = tmp.resolve("live.qcow2");
        run("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), String.valueOf(DISK));
        Random random = new Random(19);
        try (EmbeddedRuntime broker = EmbeddedRuntime.startBroker();
                QueryingDestination destination = QueryingDestination.start(config(broker), "127.0.0.1", 0,
                        "127.0.0.1");
                QemuStorageDaemon qsd = QemuStorageDaemon.start(image, tmp)) {
            assertThat(destination.app().awaitRunning(TIMEOUT)).isTrue();
            QmpClient qmp = qsd.qmp();
            addBitmap(qmp, "b64k", 65536);
            addBitmap(qmp, "b4k", 4096);
            reexport(qmp);
            write(qsd, random, 3);
            for (int round = 1; round <= 2; round++) {
                DbmRun sync = DbmRun.of("sync", "--bootstrap-servers", broker.bootstrapServers(), "--target", TARGET,
                        "--timeout", "2m", uri(qsd));
                assertThat(sync.exit()).as(sync.out() + sync.err()).isZero();
                assertThat(sync.out()).contains(round == 1 ? "full (new)" : "unchanged");
                assertReplicaIsQemus(qmp, destination, round);
            }
            NbdInputs nbd = new NbdInputs();
            SyncSession.Settings settings = new SyncSession.Settings(broker.bootstrapServers(), new Topics("dbm."),
                    Map.of(), TARGET, "live-sync-it", TIMEOUT, true, 0);
            int deltas = 0;
            try (SyncSession session = SyncSession.open(settings)) {
                for (int round = 3; round <= ROUNDS; round++) {
                    changeBitmaps(qmp, round);
                    int writes = round % 7 == 0 ? 0 : 1 + random.nextInt(4);
                    write(qsd, random, writes);
                    RoundResult r;
                    try (SourceInputs inputs = SourceInputs.of(List.of(Path.of(uri(qsd))), null, nbd)) {
                        r = session.round(MigrationRequest.builder().target(TARGET).inputs(inputs.inputs()).build());
                    }
                    assertThat(r.ok()).as("round %d: %s", round, r.bitmaps()).isTrue();
                    if (writes == 0 && round % 10 != 0 && round % 15 != 0) {
                        assertThat(r.migrations()).as("round %d without writes publishes nothing", round).isEmpty();
                    }
                    deltas += (int) r.count(BitmapOutcome.Result.DELTA);
                    assertReplicaIsQemus(qmp, destination, round);
                }
            }
            assertThat(deltas).as("rounds with writes send deltas").isGreaterThan(ROUNDS);
        }
    }

    /** Bitmaps come and go: one added every 10 rounds, one removed every 15. */
    private void changeBitmaps(QmpClient qmp, int round) throws Exception {
        boolean changed = false;
        if (round % 10 == 0) {
            long g = 65536L << (round / 10 % 4);
            addBitmap(qmp, "added-" + round, g);
            changed = true;
        }
        if (round % 15 == 0 && granularities.size() > 1) {
            String gone = granularities.keySet().iterator().next();
            reexportWithout(qmp, gone);
            qmp.run("block-dirty-bitmap-remove", "node", NODE, "name", gone);
            granularities.remove(gone);
            changed = true;
        }
        if (changed) {
            reexport(qmp);
        }
    }

    private void addBitmap(QmpClient qmp, String name, long granularity) throws Exception {
        qmp.run("block-dirty-bitmap-add", "node", NODE, "name", name, "granularity", granularity);
        granularities.put(name, granularity);
    }

    /** A new writable export of the node with every bitmap (an export's bitmaps are fixed when it is made). */
    private void reexport(QmpClient qmp) throws Exception {
        if (export != null) {
            qmp.run("block-export-del", "id", export);
        }
        export = NODE + "-g" + (++generation);
        qmp.run("block-export-add", "type", "nbd", "id", export, "node-name", NODE, "name", export, "writable", true,
                "bitmaps", new ArrayList<>(granularities.keySet()));
    }

    private void reexportWithout(QmpClient qmp, String gone) throws Exception {
        List<String> keep = new ArrayList<>(granularities.keySet());
        keep.remove(gone);
        qmp.run("block-export-del", "id", export);
        export = NODE + "-g" + (++generation);
        qmp.run("block-export-add", "type", "nbd", "id", export, "node-name", NODE, "name", export, "writable", true,
                "bitmaps", keep);
    }

    /** The export's bitmaps as {@code dbm sync} reads them: named for the node, enabled, with their granularities. */
    private String uri(QemuStorageDaemon qsd) {
        StringBuilder b = new StringBuilder("nbd+unix:///" + export + "?socket=" + qsd.nbdSocket() + "&node=" + NODE
                + "&enabled=true");
        granularities.forEach((name, g) -> b.append("&bitmap=").append(name).append("&granularity=").append(g));
        return b.toString();
    }

    /** {@code n} random guest writes through the export, in one qemu-io. */
    private void write(QemuStorageDaemon qsd, Random random, int n) throws Exception {
        if (n == 0) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (int i = 0; i < n; i++) {
            long length = 512L * (1 + random.nextInt(random.nextBoolean() ? 16 : 4096));
            long offset = 512L * random.nextInt((int) ((DISK - length) / 512));
            cmd.add("-c");
            cmd.add("write " + offset + " " + length);
        }
        cmd.add("nbd+unix:///" + export + "?socket=" + qsd.nbdSocket());
        run(cmd.toArray(String[]::new));
    }

    /** The replica, through the query API, holds exactly QEMU's bitmaps of the node with QEMU's sha256/count. */
    private void assertReplicaIsQemus(QmpClient qmp, QueryingDestination destination, int round) throws Exception {
        Map<String, String> qemu = new TreeMap<>();
        for (JsonNode n : qmp.run("query-named-block-nodes", "flat", true)) {
            if (n.path("node-name").asText().equals(NODE)) {
                for (JsonNode b : n.path("dirty-bitmaps")) {
                    String name = b.get("name").asText();
                    String sha = qmp.run("x-debug-block-dirty-bitmap-sha256", "node", NODE, "name", name).get("sha256")
                            .asText();
                    qemu.put(name, sha + " " + b.get("count").asLong());
                }
            }
        }
        Map<String, String> replica = new TreeMap<>();
        HttpResponse<String> list = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                destination.baseUrl() + "/v1/targets/" + TARGET + "/bitmaps")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        for (JsonNode b : JSON.readTree(list.body())) {
            replica.put(b.get("name").asText(), b.get("sha256").asText() + " " + b.get("count").asLong());
        }
        assertThat(replica).as("round %d: replica vs QEMU", round).isEqualTo(qemu);
        assertThat(qemu).hasSize(granularities.size());
    }

    private DestinationConfig config(EmbeddedRuntime broker) {
        return DestinationConfig.defaults(broker.bootstrapServers(), tmp.resolve("state")).withExtra(Map.of(
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100"));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.contains("failed"))
                .as(String.join(" ", cmd) + ": " + out).isTrue();
    }
}
