package org.dbmstream.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.dbmstream.topology.store.StoredBitmaps;

/**
 * The handlers of the query API (DESIGN.md section 9). Each answers from this instance's state and,
 * unless the request says {@code ?local=true}, from the other instances' too: lists are merged, and a
 * request for one bitmap goes to the instance that holds it (a completed bitmap before a loading one of
 * the same name), its extents and raw bytes streamed through.
 */
final class QueryRoutes {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<BitmapView>> VIEWS = new TypeReference<>() { };
    private static final TypeReference<List<MigrationView>> MIGRATIONS = new TypeReference<>() { };
    private static final TypeReference<List<TargetView>> TARGETS = new TypeReference<>() { };

    private static final int REMOVAL_WAIT_S = 30;

    /** Longest target, node or bitmap name in bytes (QEMU's bitmap name limit; targets and nodes are shorter). */
    static final int MAX_NAME_BYTES = 1023;

    private final LocalReplica local;
    private final Peers peers;
    private final RemovalPublisher removals;
    private final java.time.Duration responseTimeout;
    private final TargetSummaries summaries;

    QueryRoutes(LocalReplica local, Peers peers, RemovalPublisher removals) {
        this(local, peers, removals, ApiSecurity.DEFAULTS.requestTimeout(), null);
    }

    /**
     * @param responseTimeout a streamed answer still being written after this long is cut
     * @param summaries       what each target's bitmaps are doing (null: targets are listed with their counts only)
     */
    QueryRoutes(LocalReplica local, Peers peers, RemovalPublisher removals, java.time.Duration responseTimeout,
            TargetSummaries summaries) {
        this.local = local;
        this.summaries = summaries;
        this.peers = peers;
        this.removals = removals;
        this.responseTimeout = responseTimeout;
    }

    /**
     * Every target with its bitmap count (from the query index's keys: 100,000 bitmaps' states read and decoded
     * took seconds) and what its bitmaps are doing, from the last background read ({@link TargetView}).
     */
    void targets(Context ctx) throws IOException {
        LocalReplica.Covered<Map<String, Long>> mine = local.countsByTarget();
        TargetSummaries.Snapshot snapshot = summaries == null ? null : summaries.snapshot();
        long now = System.currentTimeMillis();
        Map<String, TargetView> byTarget = new TreeMap<>();
        mine.value().forEach((t, n) -> byTarget.put(t, TargetView.of(t, n, snapshot, now)));
        Coverage coverage = coverage(ctx, mine.partitions());
        if (!isLocal(ctx)) {
            for (Peers.Peer peer : peers.others()) {
                HttpResponse<byte[]> r = peers.get(peer.base(), "/v1/targets", auth(ctx));
                for (TargetView t : JSON.readValue(ok(r), TARGETS)) {
                    byTarget.merge(t.target(), t, TargetView::merge);
                }
                coverage.add(r, peer);
            }
            coverage.requireAll(peers.partitionCount());
        }
        json(ctx, 200, new ArrayList<>(byTarget.values()));
    }

    /**
     * The migrations the destination knows (DESIGN.md section 9): those in flight with their progress, and those
     * that ended, failures and cancels with their reasons; merged from every instance, active ones first.
     */
    void migrations(Context ctx) throws IOException {
        List<MigrationView> all = new ArrayList<>(local.migrations());
        if (!isLocal(ctx)) {
            for (Peers.Peer peer : peers.others()) {
                all.addAll(JSON.readValue(ok(peers.get(peer.base(), "/v1/migrations", auth(ctx))), MIGRATIONS));
            }
        }
        all.sort(MigrationView.ORDER);
        json(ctx, 200, all);
    }

    void bitmaps(Context ctx) throws IOException {
        String target = name(ctx, "target");
        LocalReplica.Covered<List<BitmapView>> mine = local.bitmaps(target);
        List<BitmapView> all = new ArrayList<>(mine.value());
        Coverage coverage = coverage(ctx, mine.partitions());
        if (!isLocal(ctx)) {
            for (Peers.Peer peer : peers.others()) {
                HttpResponse<byte[]> r = peers.get(peer.base(), targetPath(target) + "/bitmaps", auth(ctx));
                all.addAll(JSON.readValue(ok(r), VIEWS));
                coverage.add(r, peer);
            }
            coverage.requireAll(peers.partitionCount());
        }
        json(ctx, 200, onePerName(all));
    }

    /**
     * The partitions an answer covers, starting with this instance's; a {@code ?local=true} answer tells the
     * instance that asked which ones in a header, so that it answers only from a view of every partition.
     */
    private static Coverage coverage(Context ctx, java.util.Set<Integer> mine) {
        if (isLocal(ctx)) {
            ctx.header(Coverage.HEADER, Coverage.header(mine));
        }
        return new Coverage(mine);
    }

    /**
     * One view per node and name, the one a request for that bitmap answers with: until the replaced bitmap
     * is removed (on another partition, a moment after the replacing one's COMPLETE) both are held.
     */
    static List<BitmapView> onePerName(List<BitmapView> all) {
        Map<List<String>, BitmapView> byName = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
                .thenComparing(k -> k.get(1)));
        all.forEach(v -> byName.merge(List.of(v.node(), v.name()), v, BitmapView::preferred));
        List<BitmapView> out = new ArrayList<>(byName.values());
        out.sort(BitmapView.ORDER);
        return out;
    }

    void bitmap(Context ctx) throws IOException {
        Located found = locate(ctx);
        if (found == null) {
            notFound(ctx);
        } else {
            json(ctx, 200, found.view());
        }
    }

    /**
     * The extents of a bitmap, streamed; with {@code ?buckets=N} instead its summary for a picture: the window cut
     * into at most N buckets of whole bits and the dirty bytes of each ({@link DirtyBuckets}), as
     * {@code {"start", "length", "granularity", "bucketLength", "dirty": [...]}}.
     */
    void extents(Context ctx) throws Exception {
        long start = longParam(ctx, "start", 0);
        long length = longParam(ctx, "length", -1);
        int buckets = bucketsParam(ctx);
        Located found = locate(ctx);
        if (found == null) {
            notFound(ctx);
        } else if (ctx.method() == HandlerType.HEAD) {
            ctx.status(200).contentType("application/json");
        } else if (found.local() != null && buckets > 0) {
            DirtyBuckets summary = local.buckets(found.local(), start, length, buckets);
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("start", summary.start());
            body.put("length", summary.length());
            body.put("granularity", summary.granularity());
            body.put("bucketLength", summary.bucketLength());
            body.put("dirty", summary.dirtyBytes());
            json(ctx, 200, body);
        } else if (found.local() != null) {
            StreamedAnswer.send(ctx, "application/json", -1, responseTimeout, out -> {
                // never closed on failure: closing would complete the array of a cut answer
                JsonGenerator gen = JSON.getFactory().createGenerator(out)
                        .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                        .disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
                gen.writeStartArray();
                local.extents(found.local(), start, length, (s, l, dirty) -> extent(gen, s, l, dirty));
                gen.writeEndArray();
                gen.close();
            });
        } else {
            proxy(ctx, found.peer(), "/extents?" + (ctx.queryString() == null ? "" : ctx.queryString()));
        }
    }

    void raw(Context ctx) throws Exception {
        Located found = locate(ctx);
        if (found == null) {
            notFound(ctx);
        } else if (ctx.method() == HandlerType.HEAD) {
            ctx.status(200).contentType("application/octet-stream");
            ctx.res().setContentLengthLong(found.local() != null ? LocalReplica.rawLength(found.local())
                    : ((found.view().size() + found.view().granularity() - 1) / found.view().granularity() + 7) / 8);
        } else if (found.local() != null) {
            StreamedAnswer.send(ctx, "application/octet-stream", LocalReplica.rawLength(found.local()),
                    responseTimeout, out -> local.raw(found.local(), out));
        } else {
            proxy(ctx, found.peer(), "/raw");
        }
    }

    /**
     * Removes a completed bitmap, like QMP {@code block-dirty-bitmap-remove}: 204 once it is gone from the
     * replica (202 if the topology has not applied the removal within {@value #REMOVAL_WAIT_S} s), 409 for a
     * bitmap still loading (QEMU's "busy" message), 404 for none.
     */
    void delete(Context ctx) throws IOException, InterruptedException {
        Located found = locate(ctx);
        if (found == null) {
            notFound(ctx);
            return;
        }
        if (!found.view().complete()) {
            json(ctx, 409, Map.of("error", "Bitmap '" + found.view().name()
                    + "' is currently in use by another operation and cannot be used"));
            return;
        }
        removals.remove(found.view().names());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(REMOVAL_WAIT_S);
        while (System.nanoTime() < deadline) {
            Located now = locate(ctx);
            if (now == null || !now.view().migration().equals(found.view().migration())) {
                ctx.status(204);
                return;
            }
            Thread.sleep(50);
        }
        json(ctx, 202, Map.of("status", "removal requested; not applied yet"));
    }

    /** A bitmap found here ({@code local}) or on instance {@code peer}. */
    private record Located(BitmapView view, StoredBitmaps.Stored local, String peer) {
    }

    /**
     * The bitmap a request names, here or on the instance that holds it; null when no instance holds it, which
     * is only said once every partition of the loading stores was looked at (else 503).
     */
    private Located locate(Context ctx) throws IOException {
        String target = name(ctx, "target");
        String node = name(ctx, "node");
        String name = name(ctx, "name");
        LocalReplica.Covered<Optional<StoredBitmaps.Stored>> here = local.find(target, node, name);
        Located best = here.value().map(s -> new Located(BitmapView.of(s), s, null)).orElse(null);
        Coverage coverage = coverage(ctx, here.partitions());
        if (!isLocal(ctx)) {
            for (Peers.Peer peer : peers.others()) {
                HttpResponse<byte[]> r = peers.get(peer.base(), bitmapPath(target, node, name), auth(ctx));
                if (r.statusCode() == 200) {
                    BitmapView v = JSON.readValue(r.body(), BitmapView.class);
                    if (best == null || BitmapView.preferred(best.view(), v) != best.view()) {
                        best = new Located(v, null, peer.base());
                    }
                } else if (r.statusCode() != 404) {
                    throw new Unavailable("instance " + peer.base() + " answered " + r.statusCode());
                }
                coverage.add(r, peer);
            }
            coverage.requireAll(peers.partitionCount());
        }
        return best;
    }

    /**
     * Streams the answer of the instance that holds the bitmap. If it no longer does (it moved since it was
     * located) the answer is 503, not its 404; if it fails part-way the connection is aborted.
     */
    private void proxy(Context ctx, String peer, String suffix) throws Exception {
        String path = bitmapPath(name(ctx, "target"), name(ctx, "node"), name(ctx, "name")) + suffix;
        HttpResponse<InputStream> r = peers.stream(peer, path.endsWith("?") ? path.substring(0, path.length() - 1)
                : path, auth(ctx));
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new Unavailable("the bitmap moved away from instance " + peer + " (it answered "
                        + r.statusCode() + ")");
            }
            StreamedAnswer.send(ctx, r.headers().firstValue("content-type").orElse("application/octet-stream"),
                    r.headers().firstValueAsLong("content-length").orElse(-1), responseTimeout, in::transferTo);
        }
    }

    private static void extent(JsonGenerator gen, long start, long length, boolean dirty) {
        try {
            gen.writeStartObject();
            gen.writeNumberField("start", start);
            gen.writeNumberField("length", length);
            gen.writeBooleanField("dirty", dirty);
            gen.writeEndObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] ok(HttpResponse<byte[]> r) {
        if (r.statusCode() != 200) {
            throw new Unavailable("instance " + r.uri().getAuthority() + " answered " + r.statusCode());
        }
        return r.body();
    }

    private static void notFound(Context ctx) throws IOException {
        json(ctx, 404, Map.of("error", "Dirty bitmap '" + ctx.pathParam("name") + "' not found"));
    }

    static void json(Context ctx, int status, Object body) throws IOException {
        ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
    }

    /** The caller's Authorization header, forwarded when the instances share no peer token. */
    private static String auth(Context ctx) {
        return ctx.header("Authorization");
    }

    /** A path parameter that names a target, node or bitmap: at most {@value #MAX_NAME_BYTES} bytes. */
    private static String name(Context ctx, String param) {
        String v = ctx.pathParam(param);
        if (v.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("the " + (param.equals("name") ? "bitmap" : param) + " name is longer "
                    + "than " + MAX_NAME_BYTES + " bytes");
        }
        return v;
    }

    private static boolean isLocal(Context ctx) {
        return "true".equals(ctx.queryParam(Peers.LOCAL));
    }

    private static long longParam(Context ctx, String name, long absent) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) {
            return absent;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + name + "' must be a non-negative integer (bytes), not '" + v + "'");
        }
    }

    /** {@code ?buckets=N}: 1 to {@value DirtyBuckets#MAX_BUCKETS}; 0 when absent (plain extents). */
    private static int bucketsParam(Context ctx) {
        String v = ctx.queryParam("buckets");
        if (v == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= DirtyBuckets.MAX_BUCKETS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("'buckets' must be an integer from 1 to " + DirtyBuckets.MAX_BUCKETS
                + ", not '" + v + "'");
    }

    private static String targetPath(String target) {
        return "/v1/targets/" + Peers.segment(target);
    }

    static String bitmapPath(String target, String node, String name) {
        return targetPath(target) + "/bitmaps/" + Peers.segment(node) + "/" + Peers.segment(name);
    }
}
