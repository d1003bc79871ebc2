package org.dbmstream.serdes;

/**
 * Record headers of the compacted {@code migrations} topic (the spec's value schema stays as it is):
 * what a publisher says about a migration beside its spec.
 */
public final class SpecHeaders {
    /**
     * SHA-256 of the migration's content ({@code sha256:} and hex): a migration id is an identity, so a
     * publisher refuses other content under an existing id and treats the same content as a retry.
     */
    public static final String FINGERPRINT = "dbm.fingerprint";
    /**
     * Present on a spec published again by a source that gave up half-way: the destination cancels the
     * migration with this reason (UTF-8), as QEMU cancels the incoming side when the stream breaks.
     */
    public static final String CANCEL = "dbm.cancel";

    private SpecHeaders() {
    }
}
