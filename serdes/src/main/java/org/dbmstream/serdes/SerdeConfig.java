package org.dbmstream.serdes;

import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Serde configuration read from a Kafka-style config map: which encoding to write
 * ({@value #FORMAT}: {@code embedded} or {@code registry}) and, when a registry is used, its settings.
 * Keys of the registry follow the Confluent ecosystem so existing client configs carry over.
 */
public record SerdeConfig(Format format, RegistryConfig registry) {
    /** {@code embedded} (default) or {@code registry}. */
    public static final String FORMAT = "dbm.serde.format";

    /** Encoding written by the serializer; the deserializer reads both. */
    public enum Format {
        /** Avro single-object encoding, schemas from the jar, no server. */
        EMBEDDED,
        /** Confluent wire format with a schema registry. */
        REGISTRY
    }

    /** Embedded encoding, no registry. */
    public static SerdeConfig embedded() {
        return new SerdeConfig(Format.EMBEDDED, null);
    }

    /**
     * Parses {@code config}. A registry is configured whenever {@value RegistryConfig#URL} is set (so
     * an embedded-mode reader can still read Confluent-framed records); {@code registry} requires it.
     *
     * @throws ConfigException on an unknown format or a registry format without URL
     */
    public static SerdeConfig from(Map<String, ?> config) {
        Object f = config.get(FORMAT);
        Format format;
        try {
            format = f == null ? Format.EMBEDDED : Format.valueOf(f.toString().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(FORMAT, f, "must be 'embedded' or 'registry'");
        }
        RegistryConfig registry = config.get(RegistryConfig.URL) == null ? null : RegistryConfig.from(config);
        if (format == Format.REGISTRY && registry == null) {
            throw new ConfigException(RegistryConfig.URL, null,
                    FORMAT + "=registry needs the schema registry URL in " + RegistryConfig.URL);
        }
        return new SerdeConfig(format, registry);
    }
}
