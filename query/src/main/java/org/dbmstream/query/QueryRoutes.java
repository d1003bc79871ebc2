package org.dbmstream.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
    private static final TypeReference<List<Map<String, Object>>> TARGETS = new TypeReference<>() { };

    private static final int REMOVAL_WAIT_S = 30;

    /** Longest target, node or bitmap name in bytes (QEMU's bitmap name limit; targets and nodes are shorter). */
    static final int MAX_NAME_BYTES = 1023;

    private final LocalReplica local;
    private final Peers peers;
    private final RemovalPublisher removals;
    private final java.time.Duration responseTimeout;

    QueryRoutes(LocalReplica local, Peers peers, RemovalPublisher removals) {
        this(local, peers, removals, ApiSecurity.DEFAULTS.requestTimeout());
    }

    /** @param responseTimeout a streamed answer still being written after this long is cut */
    QueryRoutes(LocalReplica local, Peers peers, RemovalPublisher removals, java.time.Duration responseTimeout) {
        this.local = local;
        this.peers = peers;
        this.removals = removals;
        this.responseTimeout = responseTimeout;
    }

    void targets(Context ctx) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        local.bitmaps(null).forEach(b -> counts.merge(b.target(), 1L, Long::sum));
        if (!isLocal(ctx)) {
            for (String peer : peers.others()) {
                for (Map<String, Object> t : JSON.readValue(ok(peers.get(peer, "/v1/targets", auth(ctx))), TARGETS)) {
                    counts.merge((String) t.get("target"), ((Number) t.get("bitmaps")).longValue(), Long::sum);
                }
            }
        }
        List<Map<String, Object>> out = new ArrayList<>();
        counts.forEach((t, n) -> out.add(Map.of("target", t, "bitmaps", n)));
        json(ctx, 200, out);
    }

    void bitmaps(Context ctx) throws IOException {
        String target = name(ctx, "target");
        List<BitmapView> all = new ArrayList<>(local.bitmaps(target));
        if (!isLocal(ctx)) {
            for (String peer : peers.others()) {
                all.addAll(JSON.readValue(ok(peers.get(peer, targetPath(target) + "/bitmaps", auth(ctx))), VIEWS));
            }
        }
        json(ctx, 200, onePerName(all));
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

    void extents(Context ctx) throws IOException {
        long start = longParam(ctx, "start", 0);
        long length = longParam(ctx, "length", -1);
        Located found = locate(ctx);
        if (found == null) {
            notFound(ctx);
        } else if (ctx.method() == HandlerType.HEAD) {
            ctx.status(200).contentType("application/json");
        } else if (found.local() != null) {
            ctx.status(200).contentType("application/json");
            try (OutputStream out = timed(ctx.res().getOutputStream());
                 JsonGenerator gen = JSON.getFactory().createGenerator(out)) {
                gen.writeStartArray();
                local.extents(found.local(), start, length, (s, l, dirty) -> extent(gen, s, l, dirty));
                gen.writeEndArray();
            }
        } else {
            proxy(ctx, found.peer(), "/extents?" + (ctx.queryString() == null ? "" : ctx.queryString()));
        }
    }

    void raw(Context ctx) throws IOException {
        Located found = locate(ctx);
        if (found == null) {
            notFound(ctx);
        } else if (ctx.method() == HandlerType.HEAD) {
            ctx.status(200).contentType("application/octet-stream");
            ctx.res().setContentLengthLong(found.local() != null ? LocalReplica.rawLength(found.local())
                    : ((found.view().size() + found.view().granularity() - 1) / found.view().granularity() + 7) / 8);
        } else if (found.local() != null) {
            ctx.status(200).contentType("application/octet-stream");
            ctx.res().setContentLengthLong(LocalReplica.rawLength(found.local()));
            try (OutputStream out = timed(ctx.res().getOutputStream())) {
                local.raw(found.local(), out);
            }
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

    private Located locate(Context ctx) throws IOException {
        String target = name(ctx, "target");
        String node = name(ctx, "node");
        String name = name(ctx, "name");
        Optional<StoredBitmaps.Stored> here = local.find(target, node, name);
        Located best = here.map(s -> new Located(BitmapView.of(s), s, null)).orElse(null);
        if (!isLocal(ctx)) {
            for (String peer : peers.others()) {
                HttpResponse<byte[]> r = peers.get(peer, bitmapPath(target, node, name), auth(ctx));
                if (r.statusCode() == 200) {
                    BitmapView v = JSON.readValue(r.body(), BitmapView.class);
                    if (best == null || BitmapView.preferred(best.view(), v) != best.view()) {
                        best = new Located(v, null, peer);
                    }
                } else if (r.statusCode() != 404) {
                    throw new Unavailable("instance " + peer + " answered " + r.statusCode());
                }
            }
        }
        return best;
    }

    private void proxy(Context ctx, String peer, String suffix) throws IOException {
        String path = bitmapPath(name(ctx, "target"), name(ctx, "node"), name(ctx, "name")) + suffix;
        HttpResponse<InputStream> r = peers.stream(peer, path.endsWith("?") ? path.substring(0, path.length() - 1)
                : path, auth(ctx));
        try (InputStream in = r.body(); OutputStream out = timed(ctx.res().getOutputStream())) {
            ctx.status(r.statusCode());
            r.headers().firstValue("content-type").ifPresent(ctx::contentType);
            r.headers().firstValueAsLong("content-length").ifPresent(ctx.res()::setContentLengthLong);
            in.transferTo(out);
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

    /** The response body, cut once it has been written for longer than the response timeout. */
    private OutputStream timed(OutputStream out) {
        long deadline = System.nanoTime() + responseTimeout.toNanos();
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("the response took longer than " + responseTimeout + "; cut");
                }
                out.write(b, off, len);
            }
        };
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

    private static String targetPath(String target) {
        return "/v1/targets/" + Peers.segment(target);
    }

    static String bitmapPath(String target, String node, String name) {
        return targetPath(target) + "/bitmaps/" + Peers.segment(node) + "/" + Peers.segment(name);
    }
}
