package org.dbmstream.serdes;

import java.nio.ByteBuffer;

/**
 * The two byte layouts a dbm-stream record can have, told apart by their first bytes so that a topic
 * holding both still reads: Avro single-object encoding ({@code C3 01} + 8-byte little-endian CRC-64-AVRO
 * fingerprint + body) and the Confluent wire format ({@code 00} + big-endian 32-bit schema id + body).
 */
public enum WireFormat {
    /** Avro single-object encoding, written in embedded mode. */
    SINGLE_OBJECT,
    /** Confluent framing, written in registry mode. */
    CONFLUENT;

    /** Length of the Confluent header: magic byte and schema id. */
    public static final int CONFLUENT_HEADER = 5;
    /** Length of the single-object header: two marker bytes and the fingerprint. */
    public static final int SINGLE_OBJECT_HEADER = 10;
    static final byte CONFLUENT_MAGIC = 0x00;
    static final byte SINGLE_OBJECT_0 = (byte) 0xC3;
    static final byte SINGLE_OBJECT_1 = 0x01;

    /** The format of {@code data}, or null when it is neither (too short or an unknown first byte). */
    public static WireFormat detect(byte[] data) {
        if (data.length >= SINGLE_OBJECT_HEADER && data[0] == SINGLE_OBJECT_0 && data[1] == SINGLE_OBJECT_1) {
            return SINGLE_OBJECT;
        }
        if (data.length >= CONFLUENT_HEADER && data[0] == CONFLUENT_MAGIC) {
            return CONFLUENT;
        }
        return null;
    }

    /** Confluent frame: {@code 00}, be32 {@code schemaId}, then {@code avroBody}. */
    public static byte[] confluentFrame(int schemaId, byte[] avroBody) {
        return ByteBuffer.allocate(CONFLUENT_HEADER + avroBody.length).put(CONFLUENT_MAGIC).putInt(schemaId)
                .put(avroBody).array();
    }

    /** The schema id of a Confluent-framed record (the caller checked {@link #detect}). */
    public static int confluentSchemaId(byte[] data) {
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }

    /** Up to the first {@code n} bytes of {@code data} as hex, for error messages. */
    static String head(byte[] data, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, data.length); i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02x", data[i] & 0xff));
        }
        return sb.toString();
    }
}
