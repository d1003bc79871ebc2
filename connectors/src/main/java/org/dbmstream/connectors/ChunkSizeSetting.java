package org.dbmstream.connectors;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.dbmstream.bitmap.chunk.ChunkSize;

/**
 * {@value #NAME}, the setting every source connector shares with {@code dbm migrate --chunk-size}: how much
 * bitmap one BITS chunk carries (default 8K: an eighth of QEMU's records for the same bitmap).
 */
final class ChunkSizeSetting {
    static final String NAME = "chunk.size";

    private ChunkSizeSetting() {
    }

    /** Adds the setting to {@code def}. */
    static ConfigDef define(ConfigDef def) {
        return def.define(NAME, Type.STRING, ChunkSize.KAFKA_DEFAULT.toString(), new Valid(), Importance.LOW,
                "Bitmap per BITS chunk: " + ChunkSize.CHOICES + " (QEMU sends 1K and loads up to 10K); wider chunks "
                        + "are fewer records for the same bitmap.");
    }

    /** The configured size. */
    static ChunkSize of(AbstractConfig config) {
        return ChunkSize.parse(config.getString(NAME));
    }

    /** One of the sizes {@link ChunkSize#parse} takes. */
    static final class Valid implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                ChunkSize.parse(String.valueOf(value));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return ChunkSize.CHOICES;
        }
    }
}
