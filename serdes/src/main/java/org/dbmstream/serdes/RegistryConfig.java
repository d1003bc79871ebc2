package org.dbmstream.serdes;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the schema registry client, under the key names Confluent's clients use.
 *
 * @param urls registry base URLs, tried in order (e.g. {@code http://host:8081} or Apicurio's
 *     {@code http://host:8080/apis/ccompat/v7})
 * @param autoRegister register unknown schemas on write; when false, writing a schema the registry
 *     does not hold fails
 * @param userInfo {@code user:password} for HTTP basic auth, or null
 */
public record RegistryConfig(List<URI> urls, boolean autoRegister, String userInfo, TlsConfig tls,
        Duration connectTimeout, Duration requestTimeout, int maxRetries, Duration retryWait) {

    public static final String URL = "schema.registry.url";
    public static final String AUTO_REGISTER = "auto.register.schemas";
    /** {@code USER_INFO} (from {@value #USER_INFO}) or {@code URL} (user info in the URL). */
    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    public static final String USER_INFO = "basic.auth.user.info";
    public static final String CONNECT_TIMEOUT_MS = "http.connect.timeout.ms";
    public static final String READ_TIMEOUT_MS = "http.read.timeout.ms";
    public static final String MAX_RETRIES = "max.retries";
    public static final String RETRIES_WAIT_MS = "retries.wait.ms";

    public RegistryConfig {
        if (urls.isEmpty()) {
            throw new ConfigException(URL, "", "at least one schema registry URL is needed");
        }
        urls = List.copyOf(urls);
    }

    /** Defaults for one URL: auto-register on, no auth, no TLS settings, 10 s / 30 s, 3 retries. */
    public static RegistryConfig of(String url) {
        return from(Map.of(URL, url));
    }

    /** Parses the registry keys of {@code config}. */
    public static RegistryConfig from(Map<String, ?> config) {
        String rawUrls = string(config, URL, null);
        if (rawUrls == null || rawUrls.isBlank()) {
            throw new ConfigException(URL, rawUrls, "the schema registry URL is required");
        }
        List<URI> urls = Arrays.stream(rawUrls.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> parseUrl(s)).toList();
        String source = string(config, BASIC_AUTH_SOURCE, "USER_INFO").trim().toUpperCase(Locale.ROOT);
        String userInfo;
        switch (source) {
            case "USER_INFO" -> userInfo = string(config, USER_INFO, null);
            case "URL" -> userInfo = urls.get(0).getRawUserInfo();
            default -> throw new ConfigException(BASIC_AUTH_SOURCE, source, "supported: USER_INFO, URL");
        }
        if (userInfo != null && (userInfo.isEmpty() || !userInfo.contains(":"))) {
            throw new ConfigException(source.equals("URL") ? URL : USER_INFO, "(hidden)",
                    "basic auth credentials must be 'user:password'");
        }
        return new RegistryConfig(urls, bool(config, AUTO_REGISTER, true), userInfo, TlsConfig.from(config),
                Duration.ofMillis(number(config, CONNECT_TIMEOUT_MS, 10_000)),
                Duration.ofMillis(number(config, READ_TIMEOUT_MS, 30_000)),
                (int) number(config, MAX_RETRIES, 3), Duration.ofMillis(number(config, RETRIES_WAIT_MS, 200)));
    }

    /** The same settings with auto-registration switched. */
    public RegistryConfig withAutoRegister(boolean on) {
        return new RegistryConfig(urls, on, userInfo, tls, connectTimeout, requestTimeout, maxRetries, retryWait);
    }

    private static URI parseUrl(String s) {
        try {
            URI u = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                throw new IllegalArgumentException("scheme must be http or https");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(URL, s, e.getMessage());
        }
    }

    static String string(Map<String, ?> config, String key, String dflt) {
        Object v = config.get(key);
        if (v instanceof org.apache.kafka.common.config.types.Password p) {
            return p.value();
        }
        return v == null ? dflt : v.toString();
    }

    static boolean bool(Map<String, ?> config, String key, boolean dflt) {
        String v = string(config, key, null);
        if (v == null) {
            return dflt;
        }
        if (!v.trim().equalsIgnoreCase("true") && !v.trim().equalsIgnoreCase("false")) {
            throw new ConfigException(key, v, "must be true or false");
        }
        return Boolean.parseBoolean(v.trim());
    }

    static long number(Map<String, ?> config, String key, long dflt) {
        String v = string(config, key, null);
        try {
            long n = v == null ? dflt : Long.parseLong(v.trim());
            if (n < 0) {
                throw new ConfigException(key, v, "must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "must be a whole number");
        }
    }
}
