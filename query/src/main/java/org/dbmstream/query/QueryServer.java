package org.dbmstream.query;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination's HTTP server (Javalin on Jetty): the query API under {@code /v1}, health probes for
 * Kubernetes and Prometheus metrics. Requests that cannot be answered now (state moving during a
 * rebalance, the owner of a bitmap unknown or unreachable) get 503 with {@code Retry-After}, never a
 * wrong or empty answer.
 */
final class QueryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
    private static final String BITMAP = "/v1/targets/{target}/bitmaps/{node}/{name}";

    private final Javalin app;

    /**
     * @param live  whether the destination still runs (false once it failed for good)
     * @param ready whether it runs with its state restored
     */
    QueryServer(QueryRoutes routes, DestinationMetrics metrics, BooleanSupplier live, BooleanSupplier ready) {
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.get("/v1/targets", routes::targets);
            cfg.routes.get("/v1/targets/{target}/bitmaps", routes::bitmaps);
            cfg.routes.get(BITMAP, routes::bitmap);
            cfg.routes.delete(BITMAP, routes::delete);
            cfg.routes.get(BITMAP + "/extents", routes::extents);
            cfg.routes.get(BITMAP + "/raw", routes::raw);
            cfg.routes.get("/health/live", ctx -> health(ctx, live.getAsBoolean()));
            cfg.routes.get("/health/ready", ctx -> health(ctx, ready.getAsBoolean()));
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            cfg.routes.exception(Unavailable.class, (e, ctx) -> unavailable(ctx, e.getMessage()));
            cfg.routes.exception(InvalidStateStoreException.class,
                    (e, ctx) -> unavailable(ctx, "the destination's state is moving (rebalance): " + e.getMessage()));
            cfg.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.warn("Query {} failed", ctx.path(), e);
                error(ctx, 500, e.toString());
            });
        });
    }

    /** Starts listening on {@code host:port} (port 0: a free one); returns the bound port. */
    int start(String host, int port) {
        app.start(host, port);
        return app.port();
    }

    private static void health(Context ctx, boolean up) throws java.io.IOException {
        QueryRoutes.json(ctx, up ? 200 : 503, Map.of("status", up ? "UP" : "DOWN"));
    }

    private static void unavailable(Context ctx, String message) {
        ctx.header("Retry-After", "1");
        error(ctx, 503, message);
    }

    private static void error(Context ctx, int status, String message) {
        try {
            QueryRoutes.json(ctx, status, Map.of("error", String.valueOf(message)));
        } catch (java.io.IOException e) {
            ctx.status(status);
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
