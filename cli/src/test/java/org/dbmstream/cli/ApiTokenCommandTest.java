package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.dbmstream.query.AccessFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dbm api token}: a token and the access file line that a destination accepts it by, and its errors. */
class ApiTokenCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theLineGivesTheTokenItsRole() throws Exception {
        final DbmRun r = DbmRun.of("api", "token", "--role", "admin", "--name", "alice");
        assertThat(r.exit()).isZero();
        final String token = r.out().lines().filter(l -> l.startsWith("token:")).findFirst().orElseThrow()
                .substring("token:".length()).strip();
        final String line = r.out().lines().filter(l -> l.startsWith("access line:")).findFirst().orElseThrow()
                .substring("access line:".length()).strip();
        assertThat(line).startsWith("admin sha256:").endsWith(" alice").doesNotContain(token);
        final AccessFile access = AccessFile.load(Files.writeString(tmp.resolve("access"), line + "\n"));
        assertThat(access.token(token)).hasValue(new AccessFile.Principal("alice", AccessFile.Role.ADMIN));
        assertThat(access.token(token + "x")).isEmpty();
    }

    @Test
    void tokenOutWritesAPrivateFileAndPrintsOnlyTheLine() throws Exception {
        final Path file = tmp.resolve("backup.token");
        final DbmRun r = DbmRun.of("api", "token", "--role", "read", "--token-out", file.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip()).matches("read sha256:[0-9a-f]{64}");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        final AccessFile access = AccessFile.load(Files.writeString(tmp.resolve("access"), r.out()));
        assertThat(access.token(Files.readString(file).strip())).get().extracting(AccessFile.Principal::role)
                .isEqualTo(AccessFile.Role.READ);
        assertThat(DbmRun.of("api", "token", "--role", "read", "--token-out", file.toString()).exit()).isEqualTo(2);
    }

    @Test
    void anUnknownRoleIsABadArgument() {
        final DbmRun r = DbmRun.of("api", "token", "--role", "writer");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--role: 'writer' is neither read nor admin");
    }
}
