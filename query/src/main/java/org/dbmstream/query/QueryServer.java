package org.dbmstream.query;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.dbmstream.tls.ServerTls;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination's HTTP server (Javalin on Jetty): the query API under {@code /v1}, health probes for
 * Kubernetes and Prometheus metrics, over HTTP or HTTPS (TLS 1.2+, certificates reloaded when their files
 * change, optional client certificates). Every request passes {@link ApiGuard} first. Requests that cannot be
 * answered now (state moving during a rebalance, the owner of a bitmap unknown or unreachable) get 503 with
 * {@code Retry-After}, never a wrong or empty answer; too many at once get 429.
 */
final class QueryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
    private static final String BITMAP = "/v1/targets/{target}/bitmaps/{node}/{name}";

    private final QueryRoutes routes;
    private final DestinationMetrics metrics;
    private final BooleanSupplier live;
    private final BooleanSupplier ready;
    private final ApiGuard guard;
    private final ServerTls tls;
    private final ApiSecurity security;
    private Javalin app;

    /** A plain HTTP server without authentication (read-only) and default limits. */
    QueryServer(QueryRoutes routes, DestinationMetrics metrics, BooleanSupplier live, BooleanSupplier ready)
            throws IOException {
        this(routes, metrics, live, ready, ApiGuard.create(ApiSecurity.DEFAULTS), null, ApiSecurity.DEFAULTS);
    }

    /**
     * @param live  whether the destination still runs (false once it failed for good)
     * @param ready whether it runs with its state restored
     * @param tls   the server's certificate (null: plain HTTP)
     */
    QueryServer(QueryRoutes routes, DestinationMetrics metrics, BooleanSupplier live, BooleanSupplier ready,
            ApiGuard guard, ServerTls tls, ApiSecurity security) {
        this.routes = routes;
        this.metrics = metrics;
        this.live = live;
        this.ready = ready;
        this.guard = guard;
        this.tls = tls;
        this.security = security;
    }

    /** Starts listening on {@code host:port} (port 0: a free one); returns the bound port. */
    int start(String host, int port) {
        app = Javalin.create(cfg -> configure(cfg, host, port));
        app.start();
        return app.port();
    }

    private void configure(JavalinConfig cfg, String host, int port) {
        cfg.startup.showJavalinBanner = false;
        cfg.jetty.addConnector((server, http) -> connector(server, http, host, port));
        cfg.routes.before(guard::before);
        cfg.routes.after(guard::after);
        read(cfg, "/v1/targets", guard.limited(routes::targets));
        read(cfg, "/v1/targets/{target}/bitmaps", guard.limited(routes::bitmaps));
        read(cfg, BITMAP, guard.limited(routes::bitmap));
        cfg.routes.delete(BITMAP, guard.limited(routes::delete));
        read(cfg, BITMAP + "/extents", guard.streaming(routes::extents));
        read(cfg, BITMAP + "/raw", guard.streaming(routes::raw));
        read(cfg, "/health/live", ctx -> health(ctx, live.getAsBoolean()));
        read(cfg, "/health/ready", ctx -> health(ctx, ready.getAsBoolean()));
        read(cfg, "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(metrics.scrape()));
        cfg.routes.exception(Refused.class, (e, ctx) -> {
            if (e.challenge() != null) {
                ctx.header("WWW-Authenticate", e.challenge());
            }
            if (e.status() == 429) {
                ctx.header("Retry-After", "1");
            }
            error(ctx, e.status(), e.getMessage());
        });
        cfg.routes.exception(Unavailable.class, (e, ctx) -> unavailable(ctx, e.getMessage()));
        cfg.routes.exception(InvalidStateStoreException.class,
                (e, ctx) -> unavailable(ctx, "the destination's state is moving (rebalance): " + e.getMessage()));
        cfg.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
        cfg.routes.exception(Exception.class, (e, ctx) -> {
            if (clientLeft(e)) {
                LOG.debug("client {} went away during {} {}: {}", ctx.ip(), ctx.method(), ctx.path(), e.toString());
                return;
            }
            LOG.warn("Query {} failed", ctx.path(), e);
            error(ctx, 500, e.toString());
        });
    }

    /** A GET route, and HEAD answering what GET would (status and headers, no body). */
    private static void read(JavalinConfig cfg, String path, Handler handler) {
        cfg.routes.get(path, handler);
        cfg.routes.head(path, handler);
    }

    private ServerConnector connector(Server server, HttpConfiguration http, String host, int port) {
        final ServerConnector c;
        if (tls == null) {
            c = new ServerConnector(server, new HttpConnectionFactory(http));
        } else {
            final SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(tls.context());
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            ssl.setSniRequired(false);
            if (tls.verifiesClients()) {
                if (security.clientCertRequired()) {
                    ssl.setNeedClientAuth(true);
                } else {
                    ssl.setWantClientAuth(true);
                }
            }
            final HttpConfiguration https = new HttpConfiguration(http);
            final SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // the certificate is checked by clients; Jetty's own check needs its key store
            https.addCustomizer(secure);
            c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        }
        c.setHost(host);
        c.setPort(port);
        c.setIdleTimeout(security.idleTimeout().toMillis());
        return c;
    }

    /** A client that closed its connection (or was cut by a timeout) while its answer was written. */
    static boolean clientLeft(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EofException || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof IOException && t.getMessage() != null
                    && (t.getMessage().contains("Broken pipe") || t.getMessage().contains("Connection reset")
                    || t.getMessage().contains("Closed") || t.getMessage().contains("took longer than"))) {
                return true;
            }
        }
        return false;
    }

    private static void health(Context ctx, boolean up) throws IOException {
        QueryRoutes.json(ctx, up ? 200 : 503, Map.of("status", up ? "UP" : "DOWN"));
    }

    private static void unavailable(Context ctx, String message) {
        ctx.header("Retry-After", "1");
        error(ctx, 503, message);
    }

    private static void error(Context ctx, int status, String message) {
        try {
            QueryRoutes.json(ctx, status, Map.of("error", String.valueOf(message)));
        } catch (IOException e) {
            ctx.status(status);
        }
    }

    @Override
    public void close() {
        try {
            if (app != null) {
                app.stop();
            }
        } finally {
            guard.close();
            if (tls != null) {
                tls.close();
            }
        }
    }
}
