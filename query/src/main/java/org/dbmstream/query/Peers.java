package org.dbmstream.query;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.dbmstream.topology.store.StoreNames;

/**
 * The other instances of the destination application, found through Kafka Streams metadata (each
 * advertises its HTTP address as {@code application.server}), and asked over HTTP for what they hold
 * ({@code ?local=true}: answer from own state only, never forward again).
 */
final class Peers {
    /** Query parameter that keeps a request on the instance it reaches. */
    static final String LOCAL = "local";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Supplier<KafkaStreams> streams;
    private final Supplier<HostInfo> self;
    private final HttpClient http;
    private final String scheme;
    private final String peerToken;

    /** @param self this instance's advertised address (known once its server is bound) */
    Peers(Supplier<KafkaStreams> streams, Supplier<HostInfo> self) {
        this(streams, self, null, null);
    }

    /**
     * @param tls       trust (and client certificate) for instances serving HTTPS; null: plain HTTP
     * @param peerToken the token forwarded requests carry (null: the caller's own Authorization header)
     */
    Peers(Supplier<KafkaStreams> streams, Supplier<HostInfo> self, javax.net.ssl.SSLContext tls, String peerToken) {
        this.streams = streams;
        this.self = self;
        final HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
        this.scheme = tls != null ? "https://" : "http://";
        this.peerToken = peerToken;
    }

    /** Base URLs of the other instances that hold loading stores; 503 while the group is not settled. */
    List<String> others() {
        KafkaStreams s = streams.get();
        if (s == null || s.state() != KafkaStreams.State.RUNNING) {
            throw new Unavailable("the destination is " + (s == null ? "starting" : s.state())
                    + "; which instance owns what is not known now");
        }
        List<String> out = new ArrayList<>();
        for (StreamsMetadata m : s.streamsMetadataForStore(StoreNames.META)) {
            HostInfo h = m.hostInfo();
            if (h.equals(self.get())) {
                continue;
            }
            if (h.port() < 0 || h.host().isEmpty()) {
                throw new Unavailable("an instance of the application advertises no address (application.server)");
            }
            out.add(scheme + h.host() + ":" + h.port());
        }
        return out;
    }

    /**
     * GET {@code base + path} (already encoded) with {@code ?local=true}; the body as bytes. {@code callerAuth}
     * (the caller's Authorization header, whose rights were checked here) is sent only when no peer token is set.
     */
    HttpResponse<byte[]> get(String base, String path, String callerAuth) {
        return send(request(base, path, callerAuth).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** GET {@code base + path} streamed: the caller closes the body. */
    HttpResponse<InputStream> stream(String base, String path, String callerAuth) {
        return send(request(base, path, callerAuth).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Percent-encodes one path segment (UTF-8; a space is {@code %20}). */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String base, String path, String callerAuth) {
        String sep = path.contains("?") ? "&" : "?";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path + sep + LOCAL + "=true")).timeout(TIMEOUT);
        String auth = peerToken != null ? "Bearer " + peerToken : callerAuth;
        return auth == null ? b : b.header("Authorization", auth);
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            HttpResponse<T> response = http.send(request, handler);
            if (response.statusCode() == 503 || response.statusCode() == 401 || response.statusCode() == 403) {
                if (response.body() instanceof InputStream in) {
                    in.close();
                }
                throw new Unavailable("instance " + request.uri().getAuthority() + (response.statusCode() == 503
                        ? " cannot answer now" : " refused the forwarded request (" + response.statusCode() + "): give "
                        + "every instance the same access file and --api-peer-token-file"));
            }
            return response;
        } catch (IOException e) {
            throw new Unavailable("instance " + request.uri().getAuthority() + " is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted", e);
        }
    }
}
