package org.dbmstream.cli.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Queries during a failover: reader threads hammer {@code GET} of the metadata and raw bytes of bitmaps held
 * by one instance, through another instance, while the holder is SIGKILLed and, later, started again. Every
 * answer must be 200 with exactly the right content (state complete, QEMU's sha256 and count; raw bytes whose
 * sha256 is QEMU's) or 503 with {@code Retry-After}; anything else is {@code wrong}. Per bitmap, the time from
 * its first failed answer to its next good one is how long it was unavailable.
 */
final class QueryFailover {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BITMAPS = 24;
    private static final int READERS = 4;
    private static final long SETTLE_MS = 10_000;

    private final DestinationFleet fleet;
    private final ChaosHttp http;
    private final Replica replica;
    private final Random random;
    private final Consumer<String> progress;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong unavailable = new AtomicLong();
    private final AtomicLong cut = new AtomicLong();
    private final AtomicLong wrong = new AtomicLong();
    private final Map<String, List<long[]>> samples = new ConcurrentHashMap<>();
    private volatile boolean stop;

    /**
     * The figures: answers by kind, and per bitmap how long it was unavailable after the kill and after the
     * instance came back (seconds).
     */
    record Figures(int instances, int bitmaps, long requests, long ok, long unavailable, long cut, long wrong,
            double[] afterKill, double[] afterRejoin) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("instances", instances);
            m.put("bitmaps", bitmaps);
            m.put("requests", requests);
            m.put("ok_200", ok);
            m.put("unavailable_503", unavailable);
            m.put("cut", cut);
            m.put("wrong", wrong);
            m.put("unavailable_after_kill_s", ChaosResult.percentiles(afterKill));
            m.put("unavailable_after_rejoin_s", ChaosResult.percentiles(afterRejoin));
            return m;
        }
    }

    QueryFailover(DestinationFleet fleet, ChaosHttp http, Replica replica, Random random, Consumer<String> progress) {
        this.fleet = fleet;
        this.http = http;
        this.replica = replica;
        this.random = random;
        this.progress = progress;
    }

    Figures run() throws Exception {
        List<DestinationProcess> instances = fleet.running();
        if (instances.size() < 2) {
            throw new IllegalStateException("queries during a failover need 2 or more destinations, not "
                    + instances.size());
        }
        fleet.awaitReady();
        DestinationProcess victim = null;
        List<Replica.Bitmap> held = List.of();
        for (DestinationProcess d : instances) {
            List<Replica.Bitmap> mine = heldBy(d);
            if (mine.size() > held.size()) {
                victim = d;
                held = mine;
            }
        }
        if (victim == null) {
            throw new IllegalStateException("no destination holds a completed bitmap to query");
        }
        List<Replica.Bitmap> watched = new ArrayList<>(held);
        Collections.shuffle(watched, random);
        watched = watched.subList(0, Math.min(MAX_BITMAPS, watched.size()));
        DestinationProcess killed = victim;
        String entry = instances.stream().filter(d -> d != killed).findFirst().orElseThrow().baseUrl();
        progress.accept("queries during failover: " + READERS + " readers on " + watched.size() + " of the "
                + held.size() + " bitmaps of destination " + victim.index() + ", through " + entry);

        ExecutorService readers = Executors.newFixedThreadPool(READERS);
        long tKill;
        long tRejoin;
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                List<Replica.Bitmap> mine = new ArrayList<>();
                for (int i = r; i < watched.size(); i += READERS) {
                    mine.add(watched.get(i));
                }
                running.add(readers.submit(() -> read(entry, mine)));
            }
            Thread.sleep(3000);
            tKill = System.nanoTime();
            victim.kill();
            progress.accept("SIGKILLed destination " + victim.index() + " under the readers");
            awaitAllGood(watched, tKill);
            tRejoin = System.nanoTime();
            victim.start();
            fleet.awaitReady();
            progress.accept("destination " + victim.index() + " is back; readers go on a while");
            awaitAllGood(watched, System.nanoTime());
            stop = true;
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            stop = true;
            readers.shutdownNow();
        }
        double[] afterKill = watched.stream().mapToDouble(b -> unavailableSeconds(b, tKill, tRejoin)).toArray();
        double[] afterRejoin = watched.stream().mapToDouble(b -> unavailableSeconds(b, tRejoin, Long.MAX_VALUE))
                .toArray();
        return new Figures(instances.size(), watched.size(), requests.get(), ok.get(), unavailable.get(), cut.get(),
                wrong.get(), afterKill, afterRejoin);
    }

    /** The completed bitmaps {@code d} holds itself ({@code ?local=true}), as the replica must have them. */
    private List<Replica.Bitmap> heldBy(DestinationProcess d) throws IOException, InterruptedException {
        List<Replica.Bitmap> out = new ArrayList<>();
        ChaosHttp.Answer targets = http.get(d.baseUrl(), "/v1/targets?local=true");
        if (!targets.ok()) {
            throw new IllegalStateException("destination " + d.index() + " answered " + targets.status()
                    + " to its targets");
        }
        for (JsonNode t : JSON.readTree(targets.body())) {
            String path = "/v1/targets/" + Replica.segment(t.get("target").asText()) + "/bitmaps";
            ChaosHttp.Answer list = http.get(d.baseUrl(), path + "?local=true");
            if (!list.ok()) {
                continue; // moving right now; another instance is as good a victim
            }
            for (JsonNode b : JSON.readTree(list.body())) {
                Replica.Bitmap expected = replica.at(path + "/" + Replica.segment(b.get("node").asText()) + "/"
                        + Replica.segment(b.get("name").asText()));
                if (expected != null) {
                    out.add(expected);
                }
            }
        }
        return out;
    }

    /** One reader: metadata and raw bytes of each of its bitmaps in turn, until told to stop. */
    private Void read(String entry, List<Replica.Bitmap> mine) throws InterruptedException {
        while (!stop) {
            for (Replica.Bitmap b : mine) {
                boolean good = judge(b, http.get(entry, b.path()), false)
                        & judge(b, http.get(entry, b.path() + "/raw"), true);
                samples.computeIfAbsent(b.path(), k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(new long[] {System.nanoTime(), good ? 1 : 0});
            }
        }
        return null;
    }

    /** Counts one answer; true when it is a 200 with the right content. */
    private boolean judge(Replica.Bitmap b, ChaosHttp.Answer a, boolean raw) {
        requests.incrementAndGet();
        if (a.status() == 503) {
            if (a.retryAfter().isEmpty()) {
                wrong(b, "503 without Retry-After");
            } else {
                unavailable.incrementAndGet();
            }
            return false;
        }
        if (a.status() == 0) {
            // the connection broke before a complete answer: never taken for an answer
            cut.incrementAndGet();
            return false;
        }
        if (a.status() != 200) {
            wrong(b, "HTTP " + a.status() + " " + new String(a.body(), java.nio.charset.StandardCharsets.UTF_8));
            return false;
        }
        String why = raw ? rawProblem(b, a.body()) : metadataProblem(b, a.body());
        if (why != null) {
            wrong(b, why);
            return false;
        }
        ok.incrementAndGet();
        return true;
    }

    private static String metadataProblem(Replica.Bitmap b, byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (!"complete".equals(n.path("state").asText()) || !b.sha256().equals(n.path("sha256").asText())
                    || b.count() != n.path("count").asLong(-1)) {
                return "metadata " + n;
            }
            return null;
        } catch (IOException e) {
            return "metadata that is not JSON: " + e.getMessage();
        }
    }

    private static String rawProblem(Replica.Bitmap b, byte[] body) {
        String got = qemuSha256(body);
        return got.equals(b.sha256()) ? null : "raw bytes (" + body.length + ") with sha256 " + got;
    }

    /** QEMU's sha256 of raw bitmap bytes: SHA-256 of the serialized bitmap zero-padded to whole 8-byte words. */
    static String qemuSha256(byte[] raw) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(raw);
            sha.update(new byte[(8 - raw.length % 8) % 8]);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void wrong(Replica.Bitmap b, String what) {
        if (wrong.incrementAndGet() <= 10) {
            progress.accept("WRONG answer for " + b.path() + ": " + what);
        }
    }

    /**
     * Waits until every watched bitmap answered right at least once after {@code since} and the last
     * {@value #SETTLE_MS} ms of answers were all right (at most 5 minutes).
     */
    private void awaitAllGood(List<Replica.Bitmap> watched, long since) throws InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = System.nanoTime();
            boolean settled = now - since > SETTLE_MS * 1_000_000L && watched.stream().allMatch(b -> {
                List<long[]> s = samples.getOrDefault(b.path(), List.of());
                synchronized (s) {
                    boolean seenGood = false;
                    for (long[] x : s) {
                        if (x[0] > since && x[1] == 1) {
                            seenGood = true;
                        }
                        if (x[0] > now - SETTLE_MS * 1_000_000L && x[1] == 0) {
                            return false;
                        }
                    }
                    return seenGood;
                }
            });
            if (settled) {
                return;
            }
        }
        progress.accept("WARNING: some bitmaps still did not answer right 5 minutes after the fault");
    }

    /** Total time within {@code [from, to)} from a failed answer of {@code b} to its next good one. */
    private double unavailableSeconds(Replica.Bitmap b, long from, long to) {
        List<long[]> s = samples.getOrDefault(b.path(), List.of());
        long total = 0;
        Long badSince = null;
        synchronized (s) {
            for (long[] x : s) {
                if (x[0] < from || x[0] >= to) {
                    continue;
                }
                if (x[1] == 0 && badSince == null) {
                    badSince = x[0];
                } else if (x[1] == 1 && badSince != null) {
                    total += x[0] - badSince;
                    badSince = null;
                }
            }
        }
        return total / 1e9;
    }
}
