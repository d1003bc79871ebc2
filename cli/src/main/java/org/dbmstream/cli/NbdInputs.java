package org.dbmstream.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dbmstream.nbd.NbdTls;
import org.dbmstream.nbd.NbdUri;
import org.dbmstream.source.MigrationInput;
import org.dbmstream.source.NbdSnapshot;
import picocli.CommandLine.Option;

/**
 * NBD exports among {@code migrate}'s inputs ({@code nbd://HOST:PORT/EXPORT?bitmap=NAME},
 * {@code nbd+unix:///EXPORT?socket=PATH&bitmap=NAME}): each bitmap is read live over NBD into a temporary
 * raw bitmap file, in bounded memory, and migrated from there like {@code --raw}. {@code nbds://} and
 * {@code nbds+unix://} require TLS, with the {@code --tls-*} options' credentials.
 */
public final class NbdInputs {
    @Option(names = "--nbd-granularity", paramLabel = "SIZE",
            description = "Granularity of NBD bitmaps without granularity= in their URI (NBD does not carry it; "
                + "qemu-img info / query-block show it), e.g. 64K.")
    String granularity;

    @Option(names = "--nbd-enabled", description = "NBD bitmaps are sent as enabled (recording), unless their URI "
            + "says enabled=false.")
    boolean enabled;

    @Option(names = "--nbd-persistent", description = "NBD bitmaps are sent as persistent, unless their URI says "
            + "persistent=false.")
    boolean persistent;

    @Option(names = "--nbd-timeout", defaultValue = "60s", paramLabel = "DURATION",
            description = "How long to wait for the NBD server on each exchange: 30s, 2m or ISO-8601 such as PT1M "
                + "(default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofSeconds(60);

    @Option(names = "--tls-creds-dir", paramLabel = "DIR",
            description = "TLS credentials for nbds:// URIs in qemu's tls-creds-x509 layout: ca-cert.pem (required), "
                + "client-cert.pem and client-key.pem (for servers with verify-peer=on).")
    Path tlsCredsDir;

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "CA certificate (PEM) that signed the NBD server's certificate; default: ca-cert.pem of "
                + "--tls-creds-dir, else the JVM's trusted CAs.")
    Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Client certificate (PEM) for NBD servers that "
            + "verify clients; needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Private key of --tls-cert (PEM: PKCS#8 or "
            + "PKCS#1 RSA, unencrypted).")
    Path tlsKey;

    @Option(names = "--tls-hostname", paramLabel = "NAME", description = "Name the NBD server's certificate must "
            + "carry; default: the URI's host (no name check over Unix sockets, as in qemu).")
    String tlsHostname;

    /** Whether a positional argument is an NBD URI rather than a file. */
    static boolean isUri(final Path arg) {
        return NbdUri.looksLikeNbd(arg.toString());
    }

    /**
     * The URI as typed: picocli hands positional arguments over as {@link Path}s, which fold "//" into "/".
     * The folded slashes can only be the ones after the scheme, so they are put back.
     */
    static String uriOf(final Path arg) {
        final String s = arg.toString();
        final int colon = s.indexOf(':');
        final String scheme = s.substring(0, colon + 1);
        final String rest = s.substring(colon + 1).replaceFirst("^/+", "");
        return scheme + (scheme.contains("+unix") ? "///" : "//") + rest;
    }

    /** The --tls-* options: files given one by one win over --tls-creds-dir. */
    NbdTls tls(final String uriText) throws IOException {
        final boolean given = tlsCredsDir != null || tlsCa != null || tlsCert != null || tlsKey != null
                || tlsHostname != null;
        if (!given) {
            return NbdTls.DEFAULTS;
        }
        if (!NbdUri.parse(uriText).tls()) {
            throw new IllegalArgumentException(uriText + ": the --tls-* options need a TLS URI (nbds:// or "
                    + "nbds+unix://); this one would connect without TLS");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException(tlsCert != null ? "--tls-cert needs --tls-key" : "--tls-key needs --tls-cert");
        }
        final NbdTls options = new NbdTls(tlsCa, tlsCert, tlsKey, tlsHostname);
        return tlsCredsDir == null ? options : options.orElse(NbdTls.fromDirectory(tlsCredsDir));
    }

    /** Reads every bitmap {@code uriText} names (all the export offers when none) into files in {@code temporary}. */
    List<MigrationInput> read(final String uriText, final String nodeOption, final List<Path> temporary)
            throws IOException {
        try (NbdSnapshot snapshot = NbdSnapshot.read(uriText,
                new NbdSnapshot.Defaults(nodeOption, granularity, enabled, persistent, timeout, tls(uriText)))) {
            temporary.addAll(snapshot.detachFiles());
            return snapshot.inputs();
        }
    }
}
