package org.dbmstream.serdes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.dbmstream.schemas.SchemaHistory;

/**
 * Encodes and decodes one generated Avro type. Writes single-object encoding (embedded) or the
 * Confluent framing (registry); reads either, whatever it was configured to write. Every past version
 * of the type's schema has a reader that resolves it, so old records decode to the current class.
 * Thread-safe.
 */
public final class AvroCodec<T extends SpecificRecord> {
    static {
        AvroLimits.install();
    }

    private final Class<T> type;
    private final SpecificData model;
    private final Schema schema;
    private final List<Schema> history;
    private final SerdeConfig config;
    private final SchemaRegistryClient registry;
    /** Single-object header: {@code C3 01} and the schema's CRC-64-AVRO fingerprint, little-endian. */
    private final byte[] singleObjectHeader;
    /** A spare encode buffer: taken by one caller at a time, so encoding needs neither locks nor thread-locals. */
    private final AtomicReference<EncodeBuffer> spare = new AtomicReference<>();
    /** Single-object readers by writer-schema fingerprint: every known version resolved to the current class. */
    private final Map<Long, SpecificDatumReader<T>> readersByFingerprint = new HashMap<>();
    private final SpecificDatumWriter<T> writer;
    private final Map<Integer, SpecificDatumReader<T>> readersById = new ConcurrentHashMap<>();

    /** A codec of {@code type}; {@code registry} may be null unless the format is REGISTRY. */
    public AvroCodec(Class<T> type, SerdeConfig config, SchemaRegistryClient registry) {
        this.type = type;
        this.model = SpecificData.getForClass(type);
        this.config = config;
        this.registry = registry;
        this.history = SchemaHistory.versions(type.getSimpleName());
        // Register the stored (hint-free) text of the current version: what other clients will see.
        this.schema = history.get(history.size() - 1);
        Schema compiled = model.getSchema(type);
        if (SchemaNormalization.parsingFingerprint64(compiled) != SchemaNormalization.parsingFingerprint64(schema)) {
            throw new IllegalStateException("compiled " + type.getName() + " differs from its latest stored version");
        }
        if (config.format() == SerdeConfig.Format.REGISTRY && registry == null) {
            throw new IllegalArgumentException("registry format needs a schema registry client");
        }
        this.singleObjectHeader = singleObjectHeader(compiled);
        for (Schema version : history) {
            readersByFingerprint.put(SchemaNormalization.parsingFingerprint64(version),
                    new SpecificDatumReader<>(version, compiled, model));
        }
        this.writer = new SpecificDatumWriter<>(compiled, model);
    }

    /** The current schema (the latest stored version). */
    public Schema schema() {
        return schema;
    }

    /** Serializes {@code value} for {@code topic}; {@code isKey} picks the registry subject. */
    public byte[] encode(String topic, boolean isKey, T value) {
        if (config.format() == SerdeConfig.Format.EMBEDDED) {
            try {
                return encodeSingleObject(value);
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("topic '" + topic + "': cannot encode " + type.getSimpleName()
                        + ": " + e.getMessage(), e);
            }
        }
        if (topic == null) {
            throw new SerializationException("registry format needs a topic to name the subject of "
                    + type.getSimpleName());
        }
        int id = registry.idFor(subject(topic, isKey), schema, registry.config().autoRegister());
        return WireFormat.confluentFrame(id, body(topic, value));
    }

    /** Deserializes a record of {@code topic} in either format. */
    public T decode(String topic, byte[] data) {
        WireFormat format = WireFormat.detect(data);
        if (format == WireFormat.SINGLE_OBJECT) {
            return decodeSingleObject(topic, data);
        }
        if (format == WireFormat.CONFLUENT) {
            return decodeConfluent(topic, data);
        }
        throw new SerializationException(where(topic, data) + ": expected Avro single-object encoding (c3 01 + "
                + "8-byte fingerprint, at least " + WireFormat.SINGLE_OBJECT_HEADER + " bytes) or Confluent wire "
                + "format (00 + 4-byte schema id, at least " + WireFormat.CONFLUENT_HEADER + " bytes), got "
                + (data.length == 0 ? "no bytes" : "first bytes " + WireFormat.head(data, 8)));
    }

    /**
     * What {@code BinaryMessageDecoder} reads, read from the array itself: that decoder reads the body
     * through an unbuffered stream decoder, a virtual call per byte, which was most of a chunk's decoding.
     */
    private T decodeSingleObject(String topic, byte[] data) {
        long fp = ByteBuffer.wrap(data, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        SpecificDatumReader<T> reader = readersByFingerprint.get(fp);
        if (reader == null) {
            throw new SerializationException(where(topic, data) + ": written with a schema of fingerprint "
                    + String.format("%016x", fp) + " that is none of the " + history.size() + " known versions of "
                    + type.getSimpleName() + " (a record of another type, or from a newer release?)");
        }
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(data, WireFormat.SINGLE_OBJECT_HEADER,
                    data.length - WireFormat.SINGLE_OBJECT_HEADER, null));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(where(topic, data) + ": corrupt single-object " + type.getSimpleName()
                    + " body: " + why(e), e);
        }
    }

    private T decodeConfluent(String topic, byte[] data) {
        int id = WireFormat.confluentSchemaId(data);
        if (registry == null) {
            throw new SerializationException(where(topic, data) + ": Confluent wire format with schema id " + id
                    + ", but no schema registry is configured (" + RegistryConfig.URL + ")");
        }
        SpecificDatumReader<T> reader;
        try {
            reader = readersById.computeIfAbsent(id,
                    i -> new SpecificDatumReader<>(registry.schemaById(i), model.getSchema(type), model));
        } catch (SchemaRegistryException e) {
            throw new SchemaRegistryException(where(topic, data) + ": " + e.getMessage(), e.status(), e.errorCode(), e);
        }
        try {
            var dec = DecoderFactory.get().binaryDecoder(data, WireFormat.CONFLUENT_HEADER,
                    data.length - WireFormat.CONFLUENT_HEADER, null);
            return reader.read(null, dec);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(where(topic, data) + ": cannot read schema id " + id + " as "
                    + type.getSimpleName() + ": " + why(e), e);
        }
    }

    /**
     * Avro's single-object encoding, byte for byte what {@code BinaryMessageEncoder} writes, but into a
     * reused buffer and copied once: that encoder's per-thread buffer lookup and its two copies of
     * every record were a large share of a publisher's time per chunk.
     */
    private byte[] encodeSingleObject(T value) throws IOException {
        EncodeBuffer buf = spare.getAndSet(null);
        if (buf == null) {
            buf = new EncodeBuffer();
        }
        buf.reset();
        buf.write(singleObjectHeader);
        buf.encoder = EncoderFactory.get().directBinaryEncoder(buf, buf.encoder);
        writer.write(value, buf.encoder);
        byte[] out = buf.toByteArray();
        spare.set(buf);
        return out;
    }

    private static byte[] singleObjectHeader(Schema schema) {
        byte[] fingerprint;
        try {
            fingerprint = SchemaNormalization.parsingFingerprint("CRC-64-AVRO", schema);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("Avro's CRC-64-AVRO fingerprint is always available", e);
        }
        byte[] header = Arrays.copyOf(new byte[] {WireFormat.SINGLE_OBJECT_0, WireFormat.SINGLE_OBJECT_1},
                WireFormat.SINGLE_OBJECT_HEADER);
        System.arraycopy(fingerprint, 0, header, 2, fingerprint.length);
        return header;
    }

    /** A growable, unsynchronized byte buffer with the encoder writing into it (both kept for reuse). */
    private static final class EncodeBuffer extends OutputStream {
        private byte[] bytes = new byte[2048];
        private int count;
        BinaryEncoder encoder;

        void reset() {
            count = 0;
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, count);
        }

        private void ensure(int more) {
            if (count + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, count + more));
            }
        }
    }

    private byte[] body(String topic, T value) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64);
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            writer.write(value, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("topic '" + topic + "': cannot encode " + type.getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Confluent's TopicNameStrategy: {@code <topic>-key} or {@code <topic>-value}. */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    /** Why Avro could not read a body, in words: its decoders throw some failures without a message. */
    private static String why(Exception e) {
        if (e instanceof java.io.EOFException) {
            return "it ends before the record does (truncated, or a record of another type)";
        }
        if (e instanceof IndexOutOfBoundsException || e instanceof NegativeArraySizeException) {
            return "a length or index in it is out of range (" + e.getClass().getSimpleName() + ")";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private String where(String topic, byte[] data) {
        return "topic '" + topic + "': cannot decode " + data.length + "-byte " + type.getSimpleName() + " record";
    }
}
