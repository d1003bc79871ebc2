package org.dbmstream.cli.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * GETs against the destinations' query APIs with the run's read token, every answer as it came (status,
 * {@code Retry-After}, body): the chaos run judges answers itself, so nothing here retries.
 */
final class ChaosHttp {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String token;

    /** One answer; {@code body} is null when the connection failed or broke before the body was complete. */
    record Answer(int status, Optional<String> retryAfter, byte[] body, String failure) {
        boolean ok() {
            return status == 200 && body != null;
        }
    }

    ChaosHttp(String token) {
        this.token = token;
    }

    /** GET {@code base + path}; a transport failure is an answer with status 0. */
    Answer get(String base, String path) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).GET().build();
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(r.statusCode(), r.headers().firstValue("Retry-After"), r.body(), null);
        } catch (IOException e) {
            return new Answer(0, Optional.empty(), null, e.toString());
        }
    }

    /** Whether {@code base}'s readiness probe answers 200 (Kafka Streams RUNNING, no store restoring). */
    boolean ready(String base) throws InterruptedException {
        return base != null && get(base, "/health/ready").status() == 200;
    }
}
