package org.dbmstream.query;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Who may use the query API: a text file (mountable from a Kubernetes Secret) with one credential per line and
 * its role, never a token itself, only its SHA-256:
 * <pre>
 * # role  credential        [name shown in audit lines]
 * admin   sha256:9f86d08...  alice
 * read    sha256:60303ae...  backup-job
 * read    cn=backup.example.com
 * </pre>
 * {@code cn=NAME} (the rest of the line) is a client certificate whose subject's common name is NAME, verified
 * against the API's client CA. Tokens are compared in constant time against every entry. The file is read
 * again when it changes; a version that does not parse keeps the previous one.
 */
public final class AccessFile {
    /** What a credential may do: {@code read} GETs, {@code admin} also what changes state. */
    public enum Role {
        READ, ADMIN;

        /** Whether this role includes {@code needed}. */
        public boolean allows(final Role needed) {
            return this == ADMIN || needed == READ;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Role of(final String text) {
            for (final Role r : values()) {
                if (r.toString().equals(text)) {
                    return r;
                }
            }
            return null;
        }
    }

    /** An authenticated caller. */
    public record Principal(String name, Role role) {
    }

    private record TokenEntry(byte[] hash, Principal principal) {
    }

    private final Path file;
    private volatile List<TokenEntry> tokens;
    private volatile Map<String, Principal> certificates;
    private byte[] loaded;
    private byte[] refused;

    private AccessFile(final Path file) {
        this.file = file;
    }

    /** Reads {@code file}; a line that does not parse is an error naming the file and the line. */
    public static AccessFile load(final Path file) throws IOException {
        final AccessFile a = new AccessFile(file);
        a.parse(read(file));
        return a;
    }

    /** Reads the file again if its content changed; true when a new version was taken. */
    public synchronized boolean reloadIfChanged() throws IOException {
        final byte[] now = read(file);
        if (Arrays.equals(now, loaded) || Arrays.equals(now, refused)) {
            return false; // a version that did not parse is reported once
        }
        try {
            parse(now);
        } catch (IOException e) {
            refused = now;
            throw e;
        }
        return true;
    }

    /** The principal whose token this is (compared in constant time with every entry). */
    public Optional<Principal> token(final String token) {
        final byte[] presented = sha256(token);
        Principal found = null;
        for (final TokenEntry e : tokens) {
            if (MessageDigest.isEqual(e.hash(), presented) && found == null) {
                found = e.principal();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The principal of a verified client certificate with this subject common name. */
    public Optional<Principal> certificate(final String commonName) {
        return Optional.ofNullable(certificates.get(commonName));
    }

    /** How many credentials the file holds. */
    public int size() {
        return tokens.size() + certificates.size();
    }

    /** A new random token (256 bits), printable and safe in a header. */
    public static String newToken() {
        final byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return "dbm_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The line of the access file that gives {@code token} {@code role}, named {@code name} in audit lines. */
    public static String line(final String token, final Role role, final String name) {
        return role + " sha256:" + HexFormat.of().formatHex(sha256(token)) + (name == null || name.isBlank() ? ""
                : " " + name.strip());
    }

    static byte[] sha256(final String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void parse(final byte[] bytes) throws IOException {
        final List<TokenEntry> t = new ArrayList<>();
        final Map<String, Principal> c = new HashMap<>();
        int n = 0;
        for (final String raw : new String(bytes, StandardCharsets.UTF_8).split("\r?\n")) {
            n++;
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            final String[] f = line.split("\\s+", 3);
            final Role role = Role.of(f[0]);
            if (role == null) {
                throw problem(n, "unknown role '" + f[0] + "' (read or admin)");
            }
            if (f.length < 2) {
                throw problem(n, "no credential after the role (sha256:HASH or cn=NAME)");
            }
            if (f[1].startsWith("sha256:")) {
                final String hex = f[1].substring("sha256:".length()).toLowerCase(Locale.ROOT);
                if (!hex.matches("[0-9a-f]{64}")) {
                    throw problem(n, "sha256: must be followed by 64 hex digits (the token's SHA-256; `dbm api "
                            + "token` prints the line)");
                }
                final String name = f.length > 2 ? f[2] : "token-" + hex.substring(0, 8);
                t.add(new TokenEntry(HexFormat.of().parseHex(hex), new Principal(name, role)));
            } else if (f[1].startsWith("cn=")) {
                final String cn = line.substring(line.indexOf("cn=") + 3).strip();
                if (cn.isEmpty()) {
                    throw problem(n, "cn= needs the certificate's common name");
                }
                c.put(cn, new Principal("cn=" + cn, role));
            } else {
                throw problem(n, "'" + f[1] + "' is neither sha256:HASH nor cn=NAME (a token itself never belongs "
                        + "here, only its hash)");
            }
        }
        tokens = List.copyOf(t);
        certificates = Map.copyOf(c);
        loaded = bytes;
    }

    private IOException problem(final int line, final String what) {
        return new IOException("access file " + file + " line " + line + ": " + what);
    }

    private static byte[] read(final Path file) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("access file " + file + " does not exist", e);
        }
    }
}
