package org.dbmstream.query;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.dbmstream.query.AccessFile.Principal;
import org.dbmstream.query.AccessFile.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query API's door (DESIGN.md section 13), a before-handler every request passes, static assets included:
 * it finds the caller (a bearer token from the access file, the instances' peer token, or a verified client
 * certificate by common name), lets role {@code read} GET and HEAD and only role {@code admin} change state,
 * answers 401/403 with a JSON reason, writes an audit line for every state change (logger {@value #AUDIT_LOGGER}),
 * and bounds how many requests and streaming responses run at once (429 with {@code Retry-After} beyond).
 * Health probes stay open; {@code /metrics} too unless protected. Without an access file nobody authenticates and
 * the API is read-only.
 */
final class ApiGuard implements AutoCloseable {
    /** The logger of the audit lines (one per state change: principal, method, path, outcome). */
    static final String AUDIT_LOGGER = "dbm.audit";
    private static final Logger LOG = LoggerFactory.getLogger(ApiGuard.class);
    private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);
    private static final String PRINCIPAL = "dbm.principal";
    private static final Principal PEER = new Principal("peer", Role.READ);
    private static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";

    private final ApiSecurity security;
    private final AccessFile access;
    private final byte[] peerTokenHash;
    private final String peerToken;
    private final Semaphore streams;
    private final Semaphore requests;
    private final ScheduledExecutorService reloader;

    private ApiGuard(final ApiSecurity security, final AccessFile access, final String peerToken) {
        this.security = security;
        this.access = access;
        this.peerToken = peerToken;
        this.peerTokenHash = peerToken == null ? null : AccessFile.sha256(peerToken);
        this.streams = new Semaphore(security.maxStreams());
        this.requests = new Semaphore(security.maxRequests());
        this.reloader = access == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "dbm-access-reload");
            t.setDaemon(true);
            return t;
        });
        if (reloader != null) {
            final long ms = Math.max(10, security.reloadInterval().toMillis());
            reloader.scheduleWithFixedDelay(this::reload, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** Reads the access and peer token files now: a missing or bad file fails here, naming it. */
    static ApiGuard create(final ApiSecurity security) throws IOException {
        final AccessFile access = security.accessFile() == null ? null : AccessFile.load(security.accessFile());
        String peer = null;
        if (security.peerTokenFile() != null) {
            peer = Files.readString(security.peerTokenFile(), StandardCharsets.UTF_8).strip().lines().findFirst()
                    .orElse("");
            if (peer.isEmpty()) {
                throw new IOException("peer token file " + security.peerTokenFile() + " is empty");
            }
        }
        return new ApiGuard(security, access, peer);
    }

    /** The token this instance presents when it forwards a request (null: none configured). */
    String peerToken() {
        return peerToken;
    }

    /** Authenticates and authorizes; throws {@link Refused} for a request that may not go on. */
    void before(final Context ctx) {
        final String path = ctx.path();
        if (path.equals("/health/live") || path.equals("/health/ready")
                || path.equals("/metrics") && !security.metricsProtected()) {
            return;
        }
        final Role needed = reads(ctx) ? Role.READ : Role.ADMIN;
        final Principal who = authenticate(ctx);
        ctx.attribute(PRINCIPAL, who);
        if (who == null) {
            if (security.authenticates()) {
                throw Refused.unauthenticated("authentication required: give a bearer token (Authorization: Bearer "
                        + "TOKEN) or a client certificate", null);
            }
            if (needed == Role.ADMIN) {
                throw Refused.forbidden("the query API is read-only: no authentication is configured. To " + ctx.method()
                        + ", start the destination with --api-access FILE and use a token of role admin (see the "
                        + "README, 'Securing the query API')");
            }
            return;
        }
        if (!who.role().allows(needed)) {
            throw Refused.forbidden("'" + who.name() + "' has role '" + who.role() + "', which may not "
                    + ctx.method() + " " + path + ": that needs role 'admin'");
        }
    }

    /** Writes the audit line of a state change, whatever its outcome. */
    void after(final Context ctx) {
        if (!reads(ctx)) {
            final Principal who = ctx.attribute(PRINCIPAL);
            AUDIT.info("principal={} role={} method={} path={} status={} remote={}",
                    who == null ? "anonymous" : who.name(), who == null ? "-" : who.role(), ctx.method(), ctx.path(),
                    ctx.statusCode(), ctx.ip());
        }
    }

    /** {@code handler} counted against the requests limit. */
    Handler limited(final Handler handler) {
        return ctx -> {
            if (!requests.tryAcquire()) {
                throw busy("requests", security.maxRequests());
            }
            try {
                handler.handle(ctx);
            } finally {
                requests.release();
            }
        };
    }

    /** {@code handler}, which streams a response, counted against the streams limit (HEAD streams nothing). */
    Handler streaming(final Handler handler) {
        return limited(ctx -> {
            if (ctx.method() == HandlerType.HEAD) {
                handler.handle(ctx);
                return;
            }
            if (!streams.tryAcquire()) {
                throw busy("streaming responses (extents, raw)", security.maxStreams());
            }
            try {
                handler.handle(ctx);
            } finally {
                streams.release();
            }
        });
    }

    private static Refused busy(final String what, final int limit) {
        return Refused.busy("this instance serves at most " + limit + " " + what + " at once; retry after the "
                + "Retry-After seconds");
    }

    private Principal authenticate(final Context ctx) {
        final String auth = ctx.header("Authorization");
        if (auth != null) {
            if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw Refused.unauthenticated("only bearer tokens are accepted (Authorization: Bearer TOKEN)",
                        "invalid_request");
            }
            final String token = auth.substring(7).strip();
            if (peerTokenHash != null && MessageDigest.isEqual(AccessFile.sha256(token), peerTokenHash)) {
                return PEER;
            }
            if (access == null) {
                return null; // nothing to check it against: an open, read-only API
            }
            return access.token(token).orElseThrow(() -> Refused.unauthenticated("invalid token", "invalid_token"));
        }
        final Object certs = ctx.req().getAttribute(CERTIFICATES);
        if (access != null && certs instanceof X509Certificate[] chain && chain.length > 0) {
            final String cn = commonName(chain[0]);
            final Optional<Principal> p = access.certificate(cn);
            return p.orElseThrow(() -> Refused.forbidden("the client certificate CN=" + cn + " has no role in the "
                    + "access file (a line 'read cn=" + cn + "' would give it one)"));
        }
        return null;
    }

    private static boolean reads(final Context ctx) {
        final HandlerType m = ctx.method();
        return m == HandlerType.GET || m == HandlerType.HEAD || m == HandlerType.OPTIONS;
    }

    private static String commonName(final X509Certificate certificate) {
        try {
            for (final Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            // no readable subject: no name
        }
        return "";
    }

    private void reload() {
        try {
            if (access.reloadIfChanged()) {
                LOG.info("access file {} reloaded: {} credential(s)", security.accessFile(), access.size());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("access file changed but cannot be used; the previous version stays in force: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }
}
