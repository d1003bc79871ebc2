package org.dbmstream.serdes;

import org.apache.kafka.common.errors.SerializationException;

/**
 * A schema registry request that failed: the registry refused it (HTTP status and the registry's
 * {@code error_code}, e.g. 409 for an incompatible schema, 40401 unknown subject, 40403 unknown
 * schema) or could not be reached. Extends Kafka's {@link SerializationException} because it surfaces
 * from serializers and deserializers.
 */
public class SchemaRegistryException extends SerializationException {
    /** HTTP 409: the schema is incompatible with the subject's earlier versions. */
    public static final int INCOMPATIBLE = 409;
    /** Registry error code: subject not found. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    /** Registry error code: schema not found (under the subject, or by id). */
    public static final int SCHEMA_NOT_FOUND = 40403;

    private final int status;
    private final int errorCode;

    public SchemaRegistryException(String message, int status, int errorCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorCode = errorCode;
    }

    /** HTTP status, or -1 when the registry was not reached. */
    public int status() {
        return status;
    }

    /** The registry's {@code error_code}, or -1 when it gave none. */
    public int errorCode() {
        return errorCode;
    }

    /** True when the registry refused the schema as incompatible. */
    public boolean incompatible() {
        return status == INCOMPATIBLE;
    }

    /** True when the subject or the schema is not registered. */
    public boolean notFound() {
        return status == 404;
    }
}
