package org.dbmstream.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dbmstream.query.AccessFile.Principal;
import org.dbmstream.query.AccessFile.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access file: token hashes and certificate names with roles, errors naming the line, reload. */
class AccessFileTest {
    @TempDir
    Path tmp;

    @Test
    void tokensAndCertificateNamesGetTheirRoles() throws Exception {
        String admin = AccessFile.newToken();
        String read = AccessFile.newToken();
        Path file = Files.writeString(tmp.resolve("access"), "# comment\n\n" + AccessFile.line(admin, Role.ADMIN, "ops")
                + "\n" + AccessFile.line(read, Role.READ, null) + "\nread cn=backup host.example\n");
        AccessFile access = AccessFile.load(file);
        assertThat(access.token(admin)).hasValue(new Principal("ops", Role.ADMIN));
        assertThat(access.token(read)).get().extracting(Principal::name).asString().startsWith("token-");
        assertThat(access.token("dbm_guess")).isEmpty();
        assertThat(access.certificate("backup host.example")).hasValue(new Principal("cn=backup host.example",
                Role.READ));
        assertThat(Role.ADMIN.allows(Role.READ)).isTrue();
        assertThat(Role.READ.allows(Role.ADMIN)).isFalse();
    }

    @Test
    void aLineThatDoesNotParseIsNamedAndAReloadKeepsTheLastGoodVersion() throws Exception {
        Path file = tmp.resolve("access");
        Files.writeString(file, "writer sha256:" + "0".repeat(64) + "\n");
        assertThatThrownBy(() -> AccessFile.load(file)).hasMessage("access file " + file + " line 1: unknown role "
                + "'writer' (read or admin)");
        Files.writeString(file, "# x\nadmin sha256:1234\n");
        assertThatThrownBy(() -> AccessFile.load(file)).hasMessageContaining("line 2: sha256: must be followed by 64 "
                + "hex digits");
        Files.writeString(file, "admin dbm_plaintexttoken\n");
        assertThatThrownBy(() -> AccessFile.load(file)).hasMessageContaining("a token itself never belongs here");

        String token = AccessFile.newToken();
        Files.writeString(file, AccessFile.line(token, Role.READ, "a") + "\n");
        AccessFile access = AccessFile.load(file);
        Files.writeString(file, "broken\n");
        assertThatThrownBy(access::reloadIfChanged).hasMessageContaining("unknown role 'broken'");
        assertThat(access.reloadIfChanged()).as("the same broken version is reported once").isFalse();
        assertThat(access.token(token)).isPresent();
        Files.writeString(file, AccessFile.line(token, Role.ADMIN, "a") + "\n");
        assertThat(access.reloadIfChanged()).isTrue();
        assertThat(access.token(token)).get().extracting(Principal::role).isEqualTo(Role.ADMIN);
    }
}
