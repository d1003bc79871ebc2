package org.dbmstream.serdes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client of the Confluent-compatible schema registry REST API (Confluent Schema Registry,
 * Apicurio's {@code /apis/ccompat/v7}, Karapace...). Schema ids are cached per subject and schema,
 * schemas per id, so steady-state serialization makes no requests. Transient failures (connection
 * errors, timeouts, HTTP 5xx and 429) are retried with backoff across the configured URLs; refusals
 * (4xx) are not. Thread-safe.
 */
public final class SchemaRegistryClient {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryConfig config;
    private final HttpClient http;
    private final String authorization;
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public SchemaRegistryClient(RegistryConfig config) {
        this.config = config;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL);
        SSLContext ssl = config.tls() == null ? null : config.tls().sslContext();
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.http = b.build();
        this.authorization = config.userInfo() == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString(config.userInfo().getBytes(StandardCharsets.UTF_8));
    }

    /** The settings this client uses. */
    public RegistryConfig config() {
        return config;
    }

    /**
     * The id of {@code schema} under {@code subject}: registered now if {@code autoRegister}, else
     * looked up (failing with a {@link SchemaRegistryException} whose message says the schema is not
     * registered and auto-registration is off).
     */
    public int idFor(String subject, Schema schema, boolean autoRegister) {
        Integer cached = idsBySubject.getOrDefault(subject, Map.of()).get(schema);
        if (cached != null) {
            return cached;
        }
        if (autoRegister) {
            return register(subject, schema);
        }
        try {
            return lookup(subject, schema);
        } catch (SchemaRegistryException e) {
            if (!e.notFound()) {
                throw e;
            }
            throw new SchemaRegistryException("schema " + schema.getFullName() + " is not registered under subject '"
                    + subject + "' and " + RegistryConfig.AUTO_REGISTER + " is false: register it first ("
                    + e.getMessage() + ")", e.status(), e.errorCode(), e);
        }
    }

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its id. */
    public int register(String subject, Schema schema) {
        JsonNode r = send("POST", "/subjects/" + enc(subject) + "/versions", body(schema),
                "register schema " + schema.getFullName() + " under subject '" + subject + "'");
        return remember(subject, schema, r.path("id").asInt(-1));
    }

    /** The id of {@code schema} if registered under {@code subject}; 404 otherwise. */
    public int lookup(String subject, Schema schema) {
        JsonNode r = send("POST", "/subjects/" + enc(subject), body(schema),
                "look up schema " + schema.getFullName() + " under subject '" + subject + "'");
        return remember(subject, schema, r.path("id").asInt(-1));
    }

    /** The schema registered with {@code id} (cached forever: ids are immutable). */
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode r = send("GET", "/schemas/ids/" + id, null, "fetch schema id " + id);
        String type = r.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new SchemaRegistryException("schema id " + id + " is a " + type + " schema, expected AVRO", 200,
                    -1, null);
        }
        Schema schema = new Schema.Parser().parse(r.path("schema").asText());
        schemasById.put(id, schema);
        return schema;
    }

    /** Sets the compatibility level of {@code subject} (e.g. {@code BACKWARD}, {@code FULL}, {@code NONE}). */
    public String setCompatibility(String subject, String level) {
        String json = JSON.createObjectNode().put("compatibility", level).toString();
        return send("PUT", "/config/" + enc(subject), json, "set compatibility of subject '" + subject + "'")
                .path("compatibility").asText();
    }

    /** The versions registered under {@code subject}. */
    public List<Integer> versions(String subject) {
        JsonNode r = send("GET", "/subjects/" + enc(subject) + "/versions", null,
                "list versions of subject '" + subject + "'");
        return java.util.stream.StreamSupport.stream(r.spliterator(), false).map(JsonNode::asInt).toList();
    }

    private int remember(String subject, Schema schema, int id) {
        if (id < 0) {
            throw new SchemaRegistryException("registry answered without a schema id for subject '" + subject + "'",
                    200, -1, null);
        }
        idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).put(schema, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    private static String body(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, String body, String what) {
        IOException lastIo = null;
        int attempts = config.maxRetries() + 1;
        for (int attempt = 0; attempt < attempts; attempt++) {
            URI base = config.urls().get(attempt % config.urls().size());
            URI uri = URI.create(base + path);
            if (attempt > 0) {
                sleep(attempt);
            }
            HttpResponse<String> resp;
            try {
                resp = http.send(request(method, uri, body), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                lastIo = e;
                LOG.warn("schema registry {} {} failed (attempt {}/{}): {}", method, uri, attempt + 1, attempts,
                        e.toString());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while trying to " + what, -1, -1, e);
            }
            int status = resp.statusCode();
            if (status / 100 == 2) {
                return parse(resp.body(), what, status);
            }
            if ((status >= 500 || status == 429) && attempt + 1 < attempts) {
                LOG.warn("schema registry {} {} answered {} (attempt {}/{}), retrying", method, uri, status,
                        attempt + 1, attempts);
                continue;
            }
            throw refusal(what, uri, status, resp.body());
        }
        throw new SchemaRegistryException("cannot " + what + ": schema registry " + config.urls() + " unreachable after "
                + attempts + " attempts: " + lastIo, -1, -1, lastIo);
    }

    private HttpRequest request(String method, URI uri, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(config.requestTimeout())
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (body == null) {
            return b.method(method, HttpRequest.BodyPublishers.noBody()).build();
        }
        return b.header("Content-Type", CONTENT_TYPE)
                .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    }

    private static SchemaRegistryException refusal(String what, URI uri, int status, String body) {
        int code = -1;
        String message = body;
        try {
            JsonNode err = JSON.readTree(body);
            code = err.path("error_code").asInt(-1);
            message = err.path("message").asText(body);
        } catch (IOException | RuntimeException notJson) {
            // keep the raw body: a proxy or a wrong URL answers with HTML or plain text
        }
        String hint = switch (status) {
            case 401, 403 -> " (check " + RegistryConfig.BASIC_AUTH_SOURCE + "/" + RegistryConfig.USER_INFO + ")";
            // a registry's own 404s carry error_code 404xx; without one, nothing serves the API at this path
            case 404 -> code / 100 == 404 ? "" : " (nothing serves the Confluent schema registry API at this URL: "
                    + "check its path; Apicurio Registry serves it under /apis/ccompat/v7, e.g. "
                    + "http://host:8080/apis/ccompat/v7)";
            case 409 -> " (incompatible with the subject's registered versions under its compatibility level)";
            case 422 -> " (invalid schema)";
            default -> "";
        };
        return new SchemaRegistryException("cannot " + what + ": HTTP " + status + hint + " from " + uri
                + (code >= 0 ? ", error_code " + code : "") + ": " + message, status, code, null);
    }

    private static JsonNode parse(String body, String what, int status) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new SchemaRegistryException("cannot " + what + ": registry answered HTTP " + status
                    + " with a body that is not JSON: " + body, status, -1, e);
        }
    }

    private void sleep(int attempt) {
        long ms = config.retryWait().toMillis() << Math.min(attempt - 1, 6);
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while waiting to retry the schema registry", -1, -1, e);
        }
    }
}
