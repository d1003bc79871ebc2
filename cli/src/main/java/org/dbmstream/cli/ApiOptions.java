package org.dbmstream.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.dbmstream.export.ApiConnection;
import org.dbmstream.export.ReplicaClient;
import org.dbmstream.tls.TlsFileException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How a command reaches the destination's query API (a {@code @Mixin} of every command that reads it, so that
 * none drifts): a bearer token from {@code --token-file} or {@code DBM_API_TOKEN}, the CA of an HTTPS API, and a
 * client certificate. Files that are missing or not in PEM are bad arguments (exit 2), checked before any request.
 */
final class ApiOptions {
    /** The environment variable holding the token when no --token-file is given. */
    static final String TOKEN_ENV = "DBM_API_TOKEN";
    /** Where the environment is read (tests replace it). */
    static UnaryOperator<String> environment = System::getenv;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File whose first line is the API's bearer token (default: the environment variable "
                + TOKEN_ENV + "; `dbm api token` makes one).")
    Path tokenFile;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "PEM CA certificate(s) an https:// API's certificate must chain to (default: the JVM's "
                + "trust store).")
    Path caCert;

    @Option(names = "--cert", paramLabel = "FILE", description = "PEM client certificate, for an API that verifies "
            + "client certificates (with --key).")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "PEM private key of --cert.")
    Path key;

    /** A client of the API at {@code url} (given with option {@code urlOption}); bad files are bad arguments. */
    ReplicaClient client(final URI url, final Duration timeout, final String urlOption) {
        if ((cert == null) != (key == null)) {
            throw new ParameterException(spec.commandLine(), cert != null ? "--cert needs --key (the certificate's "
                    + "private key)" : "--key needs --cert (the certificate it belongs to)");
        }
        for (final Path f : new Path[] {caCert, cert, key}) {
            if (f != null) {
                ArgumentChecks.readable(spec, f == caCert ? "--cacert" : f == cert ? "--cert" : "--key", f);
            }
        }
        final ApiConnection connection = new ApiConnection(token(), caCert, cert, key, timeout, urlOption);
        try {
            return new ReplicaClient(url, connection);
        } catch (TlsFileException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private String token() {
        if (tokenFile != null) {
            ArgumentChecks.readable(spec, "--token-file", tokenFile);
            final String first;
            try {
                first = Files.readAllLines(tokenFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "--token-file " + tokenFile + ": " + e.getMessage(), e);
            }
            if (first.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--token-file " + tokenFile + ": its first line is "
                        + "empty (it should hold the token that `dbm api token` printed)");
            }
            return first;
        }
        final String env = environment.apply(TOKEN_ENV);
        return env == null || env.isBlank() ? null : env.strip();
    }
}
