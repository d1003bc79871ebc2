package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A streamed answer whose source fails (a store that moved in a rebalance, an instance that died while its
 * bytes were forwarded): before any byte went out the client gets the ordinary 503 with Retry-After (and no
 * stale Content-Length); after, the connection is aborted, so the client never holds a short body that looks
 * complete, chunked or not.
 */
class StreamedAnswerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int PART = 256 * 1024; // more than Jetty buffers: the answer is committed
    private Javalin app;
    private String base;

    @BeforeEach
    void start() {
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.get("/early", ctx -> StreamedAnswer.send(ctx, "application/octet-stream", 1000,
                    Duration.ofMinutes(1), out -> {
                        throw new Unavailable("the store moved");
                    }));
            cfg.routes.get("/late-chunked", ctx -> StreamedAnswer.send(ctx, "application/json", -1,
                    Duration.ofMinutes(1), out -> {
                        out.write('[');
                        out.write(("{\"start\":0},").repeat(PART / 12).getBytes(StandardCharsets.UTF_8));
                        throw new Unavailable("the store moved");
                    }));
            cfg.routes.get("/late-sized", ctx -> StreamedAnswer.send(ctx, "application/octet-stream", 2L * PART,
                    Duration.ofMinutes(1), out -> {
                        out.write(new byte[PART]);
                        throw new IOException("the instance it came from went away");
                    }));
            cfg.routes.get("/slow", ctx -> StreamedAnswer.send(ctx, "application/octet-stream", -1,
                    Duration.ofMillis(200), out -> {
                        for (int i = 0; i < 100; i++) {
                            out.write(new byte[PART / 8]);
                            Thread.sleep(20);
                        }
                    }));
            cfg.routes.get("/whole", ctx -> StreamedAnswer.send(ctx, "application/octet-stream", 3, Duration.ofMinutes(1),
                    out -> out.write(new byte[] {1, 2, 3})));
            // as QueryServer maps them
            cfg.routes.exception(Unavailable.class, (e, ctx) -> {
                ctx.header("Retry-After", "1");
                ctx.status(503).json(Map.of("error", e.getMessage()));
            });
            cfg.routes.exception(StreamedAnswer.Aborted.class, (e, ctx) -> { });
        }).start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + app.port();
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    @Test
    void aFailureBeforeAnyByteIsTheOrdinary503() throws Exception {
        HttpResponse<String> r = get("/early", HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(r.body()).contains("the store moved");
        assertThat(r.headers().firstValueAsLong("Content-Length").orElse(-1)).isEqualTo(r.body().length());
    }

    @Test
    void aFailurePartWayBreaksTheConnectionInsteadOfEndingTheAnswer() {
        for (String path : new String[] {"/late-chunked", "/late-sized", "/slow"}) {
            assertThatThrownBy(() -> get(path, HttpResponse.BodyHandlers.ofByteArray())).as(path)
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void aCompleteAnswerIsUntouched() throws Exception {
        HttpResponse<byte[]> r = get("/whole", HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).containsExactly(1, 2, 3);
    }

    private <T> HttpResponse<T> get(String path, HttpResponse.BodyHandler<T> body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), body);
    }
}
