package org.dbmstream.cli;

import org.dbmstream.bitmap.chunk.ChunkSize;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --chunk-size}, for every command that cuts bitmaps into QEMU's BITS chunks ({@code migrate},
 * {@code export}, {@code sync}): how much bitmap one chunk carries. Each command has its own default: 8K on
 * Kafka topics (an eighth of the records), QEMU's own 1K in stream files meant for QEMU.
 */
public final class ChunkSizeOption {
    @Option(names = "--chunk-size", paramLabel = "SIZE", converter = Converter.class,
            description = "Bitmap per BITS chunk: " + ChunkSize.CHOICES + " (QEMU sends 1K and loads up to 10K; "
                + "default: 8K when migrate publishes to Kafka, 1K for sync's deltas and in streams written for QEMU). Streams read from QEMU "
                + "are republished with their chunks joined up to this size.")
    public ChunkSize chunkSize;

    /** The size given, else {@code commandDefault}. */
    public ChunkSize orElse(final ChunkSize commandDefault) {
        return chunkSize != null ? chunkSize : commandDefault;
    }

    /** Parses 1K, 2K, 4K, 8K; anything else is a bad argument naming the choices. */
    public static final class Converter implements ITypeConverter<ChunkSize> {
        @Override
        public ChunkSize convert(final String value) {
            try {
                return ChunkSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
