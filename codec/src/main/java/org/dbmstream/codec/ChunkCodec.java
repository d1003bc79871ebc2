package org.dbmstream.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.dbmstream.bitmap.QemuConstants;

/**
 * Reads and writes single dirty-bitmap chunks in QEMU's wire format (DESIGN section 2), byte for
 * byte. Stateless: name carry-over is {@link ChunkNames}' and {@link ChunkEncoder}'s business.
 *
 * <p>The decoder is stricter than QEMU's loader in one way: flags that QEMU would read as a no-op
 * (no kind, or ZEROES alone), as two things at once (START|BITS, EOS with a kind) or with unknown bits
 * are refused as garbage; QEMU's save side never sends them. Everything the destination must judge
 * (granularity values, reserved bitmap flags, buffer size against the bitmap) is passed through.
 */
public final class ChunkCodec {
    /** QEMU's exact message for a BITS buffer size over 10 * CHUNK_SIZE. */
    public static final String BUFFER_TOO_BIG = "Bitmap migration stream buffer allocation request is too big";

    private ChunkCodec() {
    }

    /** Decodes the next chunk from {@code in}. */
    public static WireChunk read(WireReader in) throws IOException {
        long chunkOffset = in.position();
        try {
            return readChunk(in, chunkOffset);
        } catch (InputTruncatedException e) {
            throw new ChunkFormatException("truncated chunk: " + e.getMessage(), e.endOffset(), chunkOffset);
        }
    }

    /** Decodes exactly one chunk that fills {@code bytes} (offsets count from 0). */
    public static WireChunk decode(byte[] bytes) throws ChunkFormatException {
        try {
            WireReader in = WireReader.of(bytes);
            WireChunk chunk = read(in);
            if (!in.atEnd()) {
                throw new ChunkFormatException((bytes.length - in.position()) + " bytes after the chunk",
                        in.position(), 0);
            }
            return chunk;
        } catch (ChunkFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading a byte array cannot fail", e);
        }
    }

    private static WireChunk readChunk(WireReader in, long chunkOffset) throws IOException {
        int b0 = in.readU8("flags");
        long flags = b0;
        int width = 1;
        if ((b0 & ChunkFlags.EXTRA_FLAGS) != 0) {
            flags = flags << 8 | in.readU8("second flags byte");
            width = 2;
            if ((flags & ChunkFlags.EXTRA_FLAGS) != 0) {
                flags = flags << 16 | in.readBe16("extra flags be16");
                width = 4;
            }
        }
        long unknown = ChunkFlags.unknownBits(flags, width);
        if (unknown != 0) {
            throw new ChunkFormatException("unknown chunk flags 0x" + Long.toHexString(unknown) + " in 0x"
                    + Long.toHexString(flags), chunkOffset, chunkOffset);
        }
        int low = (int) (flags & ChunkFlags.KNOWN);
        String bad = ChunkFlags.invalidCombination(low);
        if (bad != null) {
            throw new ChunkFormatException("garbage chunk: " + bad, chunkOffset, chunkOffset);
        }
        String node = (low & ChunkFlags.DEVICE_NAME) != 0 ? readName(in, "node alias", chunkOffset) : null;
        String bitmap = (low & ChunkFlags.BITMAP_NAME) != 0 ? readName(in, "bitmap alias", chunkOffset) : null;
        if ((low & ChunkFlags.START) != 0) {
            long granularity = in.readBe32("granularity");
            int bitmapFlags = in.readU8("bitmap flags");
            return new WireChunk(flags, width, node, bitmap, granularity, bitmapFlags, 0, 0, null);
        }
        if ((low & ChunkFlags.BITS) != 0) {
            long firstSector = in.readBe64("first sector");
            long sectors = in.readBe32("number of sectors");
            byte[] buffer = null;
            if ((low & ChunkFlags.ZEROES) == 0) {
                long sizeOffset = in.position();
                long size = in.readBe64("buffer size");
                // Refuse before allocating: the size comes from the stream (QEMU does the same).
                if (size < 0 || size > QemuConstants.MAX_BUFFER_SIZE) {
                    throw new ChunkFormatException(BUFFER_TOO_BIG + ": " + Long.toUnsignedString(size) + " bytes",
                            sizeOffset, chunkOffset);
                }
                buffer = in.readBytes((int) size, "bitmap buffer");
            }
            return new WireChunk(flags, width, node, bitmap, 0, 0, firstSector, sectors, buffer);
        }
        return new WireChunk(flags, width, node, bitmap, 0, 0, 0, 0, null);
    }

    private static String readName(WireReader in, String what, long chunkOffset) throws IOException {
        long at = in.position();
        int len = in.readU8(what + " length");
        byte[] bytes = in.readBytes(len, what);
        try {
            // Strict: a lossy decode could not be written back byte for byte.
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ChunkFormatException(what + " is not valid UTF-8", at, chunkOffset);
        }
    }

    /** Writes {@code chunk} exactly as QEMU would have sent it. */
    public static void write(WireChunk chunk, OutputStream out) throws IOException {
        long f = chunk.flags();
        switch (chunk.flagsWidth()) {
            case 1 -> out.write((int) f);
            case 2 -> {
                out.write((int) (f >>> 8));
                out.write((int) f & 0xff);
            }
            default -> {
                for (int shift = 24; shift >= 0; shift -= 8) {
                    out.write((int) (f >>> shift) & 0xff);
                }
            }
        }
        writeName(chunk.nodeAlias(), out);
        writeName(chunk.bitmapAlias(), out);
        switch (chunk.kind()) {
            case START -> {
                writeBe(chunk.granularity(), 4, out);
                out.write(chunk.bitmapFlags());
            }
            case BITS -> {
                writeBe(chunk.firstSector(), 8, out);
                writeBe(chunk.sectors(), 4, out);
                if (chunk.buffer() != null) {
                    writeBe(chunk.buffer().length, 8, out);
                    out.write(chunk.buffer());
                }
            }
            default -> { }
        }
    }

    /** {@link #write} into a new array. */
    public static byte[] toBytes(WireChunk chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.encodedLength());
        try {
            write(chunk, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeName(String name, OutputStream out) throws IOException {
        if (name != null) {
            byte[] b = name.getBytes(StandardCharsets.UTF_8);
            out.write(b.length);
            out.write(b);
        }
    }

    private static void writeBe(long v, int bytes, OutputStream out) throws IOException {
        for (int i = bytes - 1; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }
}
