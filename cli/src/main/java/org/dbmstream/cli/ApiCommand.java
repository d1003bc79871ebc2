package org.dbmstream.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import org.dbmstream.query.AccessFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code dbm api}: helpers for securing the query API (README "Securing the query API"). */
@Command(name = "api", mixinStandardHelpOptions = true,
        description = "Helpers for the destination's query API.", subcommands = ApiCommand.Token.class)
final class ApiCommand {
    @Command(name = "token", mixinStandardHelpOptions = true,
            description = {"Makes a new random API token and the access file line that gives it a role.",
                "The token goes to the client (--token-file or DBM_API_TOKEN); only the line, which holds the "
                    + "token's SHA-256, goes into the destination's --api-access file."})
    static final class Token implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--role", required = true, paramLabel = "read|admin",
                description = "read: GET every bitmap; admin: also remove bitmaps (DELETE).")
        String role;

        @Option(names = "--name", paramLabel = "NAME", description = "Who uses it, shown in audit lines "
                + "(default: token-<first 8 digits of its hash>).")
        String name;

        @Option(names = "--token-out", paramLabel = "FILE", description = "Write the token into this new file "
                + "(readable by its owner only) and print only the access file line.")
        Path tokenOut;

        @Override
        public Integer call() throws IOException {
            final AccessFile.Role r = "read".equals(role) ? AccessFile.Role.READ : "admin".equals(role)
                    ? AccessFile.Role.ADMIN : null;
            if (r == null) {
                throw new ParameterException(spec.commandLine(), "--role: '" + role + "' is neither read nor admin");
            }
            if (name != null && (name.isBlank() || name.chars().anyMatch(Character::isWhitespace))) {
                throw new ParameterException(spec.commandLine(), "--name: '" + name + "' must be one word");
            }
            final String token = AccessFile.newToken();
            final String line = AccessFile.line(token, r, name);
            final PrintWriter out = spec.commandLine().getOut();
            if (tokenOut != null) {
                if (Files.exists(tokenOut)) {
                    throw new ParameterException(spec.commandLine(), "--token-out " + tokenOut + ": exists already");
                }
                Files.writeString(tokenOut, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
                try {
                    Files.setPosixFilePermissions(tokenOut, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // the file system has no POSIX permissions
                }
                out.println(line);
            } else {
                out.println("token:       " + token);
                out.println("access line: " + line);
                spec.commandLine().getErr().println("Give the token to the client (--token-file FILE or "
                        + "DBM_API_TOKEN); add the access line to the destination's --api-access file. The token is "
                        + "not stored anywhere.");
            }
            out.flush();
            return 0;
        }
    }
}
