package org.dbmstream.nbd;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An NBD export as qemu and libnbd write it: {@code nbd://HOST[:PORT]/EXPORT} or
 * {@code nbd+unix:///EXPORT?socket=PATH}, with {@code bitmap=NAME} (repeatable; percent-encoded UTF-8)
 * naming the dirty bitmaps to read. dbm adds {@code node=NAME} (the node name the bitmaps are migrated
 * under; default: the export name), {@code granularity=SIZE} (NBD does not carry it; once for all bitmaps or
 * once per bitmap, in order) and
 * {@code enabled}/{@code persistent} (the flags START carries; {@code =true}/{@code =false}).
 *
 * <p>{@code nbds://} and {@code nbds+unix://} require TLS (NBD_OPT_STARTTLS; never a fall-back to plaintext),
 * with libnbd's {@code tls-certificates=DIR} (a directory of qemu's layout, see {@link NbdTls#fromDirectory})
 * and {@code tls-hostname=NAME}; settings the URI leaves out come from {@link #withTlsDefaults}.
 */
public record NbdUri(String text, SocketAddress address, String exportName, List<String> bitmaps,
        List<String> granularities, Map<String, String> options, boolean tls, NbdTls tlsDefaults) {
    /** The IANA port of NBD. */
    public static final int DEFAULT_PORT = 10809;

    private static final List<String> KNOWN = List.of("bitmap", "socket", "node", "granularity", "enabled",
            "persistent", "tls-certificates", "tls-hostname");

    public NbdUri {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(exportName, "exportName");
        bitmaps = List.copyOf(bitmaps);
        granularities = List.copyOf(granularities);
        options = Map.copyOf(options);
        Objects.requireNonNull(tlsDefaults, "tlsDefaults");
    }

    /** Whether {@code text} is meant as an NBD URI (by its scheme), so callers can tell it from a file name. */
    public static boolean looksLikeNbd(final String text) {
        final String t = text.toLowerCase(Locale.ROOT);
        return t.startsWith("nbd:") || t.startsWith("nbds:") || t.startsWith("nbd+") || t.startsWith("nbds+");
    }

    /** Parses an NBD URI; an {@link IllegalArgumentException} names what is wrong. */
    public static NbdUri parse(final String text) {
        final URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not an NBD URI: " + text + ": " + e.getMessage(), e);
        }
        final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        final boolean tls = scheme.startsWith("nbds");
        final Map<String, String> options = new LinkedHashMap<>();
        final List<String> bitmaps = new ArrayList<>();
        final List<String> granularities = new ArrayList<>();
        final String rawQuery = uri.getRawQuery();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (final String pair : rawQuery.split("&")) {
                final int eq = pair.indexOf('=');
                final String key = decode(eq < 0 ? pair : pair.substring(0, eq), text);
                final String value = eq < 0 ? "true" : decode(pair.substring(eq + 1), text);
                if (!KNOWN.contains(key)) {
                    throw new IllegalArgumentException(text + ": unknown query parameter '" + key + "' (known: "
                            + String.join(", ", KNOWN) + ")");
                }
                if (key.equals("bitmap")) {
                    if (value.isEmpty()) {
                        throw new IllegalArgumentException(text + ": empty bitmap name");
                    }
                    bitmaps.add(value);
                } else if (key.equals("granularity")) {
                    granularities.add(value);
                } else if (options.put(key, value) != null) {
                    throw new IllegalArgumentException(text + ": query parameter '" + key + "' is given twice");
                }
            }
        }
        final String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
        final String exportName = decode(rawPath.startsWith("/") ? rawPath.substring(1) : rawPath, text);
        final SocketAddress address;
        switch (scheme) {
            case "nbd", "nbd+tcp", "nbds", "nbds+tcp" -> {
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException(text + ": no host (nbd://HOST[:PORT]/EXPORT)");
                }
                if (options.containsKey("socket")) {
                    throw new IllegalArgumentException(text + ": socket= belongs to nbd+unix:// URIs");
                }
                final String host = uri.getHost().replaceAll("^\\[|\\]$", "");
                address = InetSocketAddress.createUnresolved(host, uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort());
            }
            case "nbd+unix", "nbds+unix" -> {
                if (uri.getRawAuthority() != null) {
                    throw new IllegalArgumentException(text + ": " + scheme + ":// URIs have no host: " + scheme
                            + ":///EXPORT?socket=PATH");
                }
                final String socket = options.get("socket");
                if (socket == null || socket.isEmpty()) {
                    throw new IllegalArgumentException(text + ": " + scheme + ":// needs socket=PATH");
                }
                address = UnixDomainSocketAddress.of(Path.of(socket));
            }
            default -> throw new IllegalArgumentException(text + ": unsupported scheme '" + scheme
                    + "' (use nbd://HOST:PORT/EXPORT or nbd+unix:///EXPORT?socket=PATH; nbds:// and nbds+unix:// for TLS)");
        }
        if (!tls) {
            for (final String key : List.of("tls-certificates", "tls-hostname")) {
                if (options.containsKey(key)) {
                    throw new IllegalArgumentException(text + ": " + key + "= belongs to TLS URIs (nbds:// or "
                            + "nbds+unix://)");
                }
            }
        }
        if (granularities.size() > 1 && granularities.size() != bitmaps.size()) {
            throw new IllegalArgumentException(text + ": give granularity= once for every bitmap, or as often as "
                    + "bitmap= (in the same order); got " + granularities.size() + " for " + bitmaps.size() + " bitmaps");
        }
        return new NbdUri(text, address, exportName, bitmaps, granularities, options, tls, NbdTls.DEFAULTS);
    }

    /** This URI with TLS settings for what it leaves out (command-line options, connector settings). */
    public NbdUri withTlsDefaults(final NbdTls defaults) {
        return new NbdUri(text, address, exportName, bitmaps, granularities, options, tls, defaults);
    }

    /**
     * The TLS credentials to connect with (only for {@link #tls} URIs): {@code tls-certificates=DIR} and
     * {@code tls-hostname=} from the URI, the rest from {@link #tlsDefaults}. Reads the directory's listing.
     */
    public NbdTls tlsSettings() throws NbdException {
        final String dir = options.get("tls-certificates");
        final NbdTls fromUri = dir != null ? NbdTls.fromDirectory(Path.of(dir)) : NbdTls.DEFAULTS;
        final String host = options.get("tls-hostname");
        return new NbdTls(fromUri.caCert(), fromUri.clientCert(), fromUri.clientKey(), host).orElse(tlsDefaults);
    }

    /** The host name for the certificate check: the URI's host over TCP, none over a Unix socket. */
    String host() {
        return address instanceof InetSocketAddress inet ? inet.getHostString() : null;
    }

    /** The TCP port, or 0 for a Unix socket. */
    int port() {
        return address instanceof InetSocketAddress inet ? inet.getPort() : 0;
    }

    /** The granularity given for the {@code index}-th bitmap (one for all, or one each), or {@code fallback}. */
    public String granularity(final int index, final String fallback) {
        if (granularities.isEmpty()) {
            return fallback;
        }
        return granularities.size() == 1 ? granularities.get(0) : granularities.get(index);
    }

    /** A query option, or {@code fallback} when absent. */
    public String option(final String key, final String fallback) {
        return options.getOrDefault(key, fallback);
    }

    /** A boolean query option ({@code true/false/on/off/yes/no/1/0}), or {@code fallback}. */
    public boolean flag(final String key, final boolean fallback) {
        final String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes", "1" -> true;
            case "false", "off", "no", "0" -> false;
            default -> throw new IllegalArgumentException(text + ": " + key + "=" + v + " is not a boolean");
        };
    }

    /** The server as messages name it. */
    public String server() {
        if (address instanceof InetSocketAddress inet) {
            return inet.getHostString() + ":" + inet.getPort();
        }
        return "unix:" + ((UnixDomainSocketAddress) address).getPath();
    }

    /** Percent-decoding as RFC 3986 has it ('+' stays '+'), into UTF-8. */
    private static String decode(final String s, final String text) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException(text + ": truncated percent escape in '" + s + "'");
                }
                final int hi = Character.digit(s.charAt(i + 1), 16);
                final int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException(text + ": bad percent escape in '" + s + "'");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                final int cp = s.codePointAt(i);
                final byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i += Character.charCount(cp) - 1;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return text;
    }
}
