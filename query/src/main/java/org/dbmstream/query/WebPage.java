package org.dbmstream.query;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The operator's web page (README "The web page"): {@code /} and its few files under {@code /ui/}, plain HTML, CSS
 * and JavaScript modules read from this jar (nothing from the internet). The files hold no data and are served to
 * anyone, so that a browser without a token can load the page and ask for one; everything the page shows comes from
 * the {@code /v1} API with the token the user gives it (or the browser's client certificate), role {@code read}.
 * A strict Content-Security-Policy lets the page load and fetch from this origin only.
 */
final class WebPage {
    private static final String ROOT = "/org/dbmstream/query/ui/";
    /** Every file the page has, with its type: nothing else under /ui/ is served. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "picture.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private final Map<String, byte[]> content = new java.util.HashMap<>();

    WebPage() {
        FILES.keySet().forEach(f -> content.put(f, read(f)));
    }

    /** Whether {@code path} is one of the page's files (served without authentication: they hold no data). */
    static boolean isPage(String path) {
        return path.equals("/") || path.startsWith("/ui/") && FILES.containsKey(path.substring(4));
    }

    void index(Context ctx) {
        serve(ctx, "index.html");
    }

    void file(Context ctx) {
        String name = ctx.pathParam("file");
        if (!FILES.containsKey(name)) {
            ctx.status(404).contentType("text/plain").result("no such file of the web page: " + name);
            return;
        }
        serve(ctx, name);
    }

    private void serve(Context ctx, String name) {
        byte[] body = content.get(name);
        ctx.status(200).contentType(FILES.get(name))
                .header("Cache-Control", "no-cache")
                .header("Content-Security-Policy", CSP)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer");
        if (ctx.method() == HandlerType.HEAD) {
            ctx.res().setContentLength(body.length); // what GET would send (before any compression)
        } else {
            ctx.result(body); // Javalin sets the length, compressed or not
        }
    }

    private static byte[] read(String name) {
        try (InputStream in = WebPage.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("the web page's " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
