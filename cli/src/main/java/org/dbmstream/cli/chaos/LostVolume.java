package org.dbmstream.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pod whose volume is lost: the destination instance with the most state is SIGKILLed, its state directory
 * deleted, and started again empty. It rebuilds its stores from the changelogs (as active, standby or warm-up
 * copies); the time from its start until every copy caught up ({@code dbm_state_lag_records} levels off) over the state
 * it then holds gives the restore time per GiB. Its bitmaps before (the ones it held) and after (the ones it
 * holds once it owns tasks again) must equal the generator's, and so must every bitmap read through the API.
 */
final class LostVolume {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LAG = Pattern.compile("(?m)^dbm_state_lag_records(?:\\{[^}]*})? (\\S+)$");
    private static final Pattern PARTITIONS = Pattern.compile("(?m)^dbm_state_store_partitions(?:\\{[^}]*})? (\\S+)$");
    private static final long WAIT_NANOS = 600_000_000_000L;
    private static final int PLATEAU_S = 10;
    /** Offsets at a caught-up changelog's end that no store reads: commit markers, aborted records (a bound). */
    private static final int MARKERS_PER_PARTITION = 50;

    private final DestinationFleet fleet;
    private final ChaosHttp http;
    private final Replica replica;
    private final Consumer<String> progress;

    /**
     * @param stateMib    the instance's state after the rebuild (RocksDB files)
     * @param restoreSeconds from its start until every store copy caught up
     * @param heldBefore  bitmaps it held before (all equal to the generator's, else counted in {@code differ})
     * @param heldAfter   bitmaps it held once it owned tasks again
     * @param checked     every bitmap of the replica read through the API afterwards
     */
    record Figures(int instance, double stateMib, double restoreSeconds, int heldBefore, int heldAfter, int checked,
            int differ, int missing) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instance", instance);
            m.put("state_mib", ChaosResult.round(stateMib));
            m.put("restore_s", ChaosResult.round(restoreSeconds));
            m.put("restore_s_per_gib", stateMib > 0 ? ChaosResult.round(restoreSeconds * 1024 / stateMib) : null);
            m.put("bitmaps_held_before", heldBefore);
            m.put("bitmaps_held_after", heldAfter);
            m.put("bitmaps_checked", checked);
            m.put("differ", differ);
            m.put("missing", missing);
            return m;
        }
    }

    LostVolume(DestinationFleet fleet, ChaosHttp http, Replica replica, Consumer<String> progress) {
        this.fleet = fleet;
        this.http = http;
        this.replica = replica;
        this.progress = progress;
    }

    Figures run() throws Exception {
        fleet.awaitReady();
        DestinationProcess victim = null;
        long most = -1;
        for (DestinationProcess d : fleet.running()) {
            long bytes = d.stateBytes();
            if (bytes > most) {
                most = bytes;
                victim = d;
            }
        }
        int[] differ = {0};
        Map<String, String> before = held(victim, differ);
        progress.accept(String.format("lost volume: destination %d (%.1f MiB of state, %d bitmaps) SIGKILLed, its "
                + "state directory deleted, started again", victim.index(), most / 1048576.0, before.size()));
        victim.kill();
        victim.wipeState();
        long t0 = System.nanoTime();
        victim.start();
        double restore = awaitCaughtUp(victim, t0);
        double stateMib = victim.stateBytes() / 1048576.0;
        progress.accept(String.format("destination %d rebuilt %.1f MiB of state from the changelogs in %.1f s",
                victim.index(), stateMib, restore));
        Map<String, String> after = Map.of();
        long deadline = System.nanoTime() + WAIT_NANOS;
        // tasks move back to a caught-up instance at the next probing rebalance
        while (after.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(2000);
            fleet.awaitReady();
            after = held(victim, differ);
        }
        for (Map.Entry<String, String> e : after.entrySet()) {
            if (before.containsKey(e.getKey()) && !before.get(e.getKey()).equals(e.getValue())) {
                differ[0]++;
                progress.accept("DIFFERS after the rebuild: " + e.getKey());
            }
        }
        int[] missing = {0};
        int checked = checkAll(victim.baseUrl(), differ, missing);
        return new Figures(victim.index(), stateMib, restore, before.size(), after.size(), checked, differ[0],
                missing[0]);
    }

    /**
     * The completed bitmaps {@code d} holds ({@code ?local=true}): API path to the SHA-256 (QEMU's) of their raw
     * bytes; each also compared with the generator's value ({@code differ} counts those that are not equal).
     */
    private Map<String, String> held(DestinationProcess d, int[] differ) throws IOException, InterruptedException {
        Map<String, String> out = new HashMap<>();
        ChaosHttp.Answer targets = http.get(d.baseUrl(), "/v1/targets?local=true");
        if (!targets.ok()) {
            return out;
        }
        for (JsonNode t : JSON.readTree(targets.body())) {
            String path = "/v1/targets/" + Replica.segment(t.get("target").asText()) + "/bitmaps";
            ChaosHttp.Answer list = http.get(d.baseUrl(), path + "?local=true");
            if (!list.ok()) {
                return Map.of(); // tasks moving: ask again later
            }
            for (JsonNode b : JSON.readTree(list.body())) {
                String at = path + "/" + Replica.segment(b.get("node").asText()) + "/"
                        + Replica.segment(b.get("name").asText());
                Replica.Bitmap expected = replica.at(at);
                ChaosHttp.Answer raw = http.get(d.baseUrl(), at + "/raw?local=true");
                if (expected == null || !raw.ok()) {
                    continue;
                }
                String sha = QueryFailover.qemuSha256(raw.body());
                if (!sha.equals(expected.sha256())) {
                    differ[0]++;
                    progress.accept("DIFFERS from the generator: " + at + " on destination " + d.index());
                }
                out.put(at, sha);
            }
        }
        return out;
    }

    /**
     * Seconds from {@code t0} until the instance's store copies caught up with their changelogs: the moment its
     * {@code dbm_state_lag_records} reached the value it then keeps for {@value #PLATEAU_S} s while the instance is
     * ready. Under exactly-once that value is a few offsets per partition, not 0 (commit markers and aborted
     * records at a changelog's end are never read into a store), hence the plateau rather than a 0.
     */
    private double awaitCaughtUp(DestinationProcess d, long t0) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        double last = Double.NaN;
        long reached = 0;
        while (System.nanoTime() < deadline) {
            ChaosHttp.Answer metrics = http.get(d.baseUrl(), "/metrics");
            long now = System.nanoTime();
            if (metrics.ok() && http.ready(d.baseUrl())) {
                String text = new String(metrics.body(), java.nio.charset.StandardCharsets.UTF_8);
                double lag = value(LAG, text);
                double partitions = value(PARTITIONS, text);
                if (partitions > 0 && lag <= partitions * MARKERS_PER_PARTITION) {
                    if (lag != last) {
                        last = lag;
                        reached = now;
                    } else if (now - reached > PLATEAU_S * 1_000_000_000L) {
                        return (reached - t0) / 1e9;
                    }
                } else {
                    last = Double.NaN;
                }
            } else {
                last = Double.NaN;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("destination " + d.index() + " did not catch up with its changelogs within "
                + WAIT_NANOS / 1_000_000_000L + " s");
    }

    private static double value(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** Every bitmap of the replica read through {@code base}: metadata equal to the generator's; returns how many. */
    private int checkAll(String base, int[] differ, int[] missing) throws IOException, InterruptedException {
        int n = 0;
        for (Replica.Bitmap b : replica.bitmaps()) {
            ChaosHttp.Answer a = http.get(base, b.path());
            for (int tries = 0; a.status() == 503 && tries < 60; tries++) {
                Thread.sleep(1000);
                a = http.get(base, b.path());
            }
            n++;
            if (a.status() == 404) {
                missing[0]++;
                progress.accept("MISSING after the rebuild: " + b.path());
            } else if (!a.ok()) {
                missing[0]++;
                progress.accept("no answer for " + b.path() + ": HTTP " + a.status());
            } else {
                JsonNode j = JSON.readTree(a.body());
                if (!b.sha256().equals(j.path("sha256").asText()) || b.count() != j.path("count").asLong(-1)) {
                    differ[0]++;
                    progress.accept("DIFFERS after the rebuild: " + b.path() + " " + j);
                }
            }
        }
        return n;
    }
}
