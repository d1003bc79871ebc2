package org.dbmstream.codec.savevm;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.dbmstream.bitmap.chunk.Chunk;
import org.dbmstream.codec.ChunkCodec;
import org.dbmstream.codec.ChunkEncoder;

/**
 * Writes a QEMU migration stream (savevm format, version 3) holding only the {@code dirty-bitmap} section,
 * the way QEMU's precopy save side lays it out: the configuration (machine type), SECTION_START with the
 * START chunks and EOS, SECTION_PART with EOS, SECTION_END with every BITS/ZEROES chunk, the COMPLETE chunks
 * and EOS, each section with its footer, then EOF and a VM description. A destination QEMU with the
 * {@code dirty-bitmaps} capability loads it with {@code migrate-incoming}.
 *
 * <p>Feed the chunks of one migration in QEMU's order ({@link #chunk}: START..., EOS, BITS..., EOS,
 * COMPLETE..., EOS), then {@link #finish}. Names are sent as QEMU sends them (only when they change).
 */
public final class SavevmWriter {
    private static final int SECTION_START = 0x01;
    private static final int SECTION_PART = 0x02;
    private static final int SECTION_END = 0x03;
    private static final int SECTION_ID = 1;
    private static final int EOS_FLAG = 0x01;

    private final DataOutputStream out;
    private final ChunkEncoder encoder = new ChunkEncoder();
    private int eosSeen;
    private boolean finished;

    /** Starts a stream for a destination of machine type {@code machine} (e.g. {@code none}, {@code pc-q35-7.2}). */
    public SavevmWriter(final OutputStream out, final String machine) throws IOException {
        this.out = new DataOutputStream(out);
        this.out.writeInt(SavevmReader.MAGIC);
        this.out.writeInt(SavevmReader.VERSION);
        final byte[] name = machine.getBytes(StandardCharsets.UTF_8);
        this.out.writeByte(SavevmReader.CONFIGURATION);
        this.out.writeInt(name.length);
        this.out.write(name);
        this.out.writeByte(SECTION_START);
        this.out.writeInt(SECTION_ID);
        final byte[] idstr = SavevmReader.DIRTY_BITMAP.getBytes(StandardCharsets.US_ASCII);
        this.out.writeByte(idstr.length);
        this.out.write(idstr);
        this.out.writeInt(0); // instance id
        this.out.writeInt(1); // version id
    }

    /** Writes the next chunk; the EOS chunks close the setup section and the (empty) iteration section. */
    public void chunk(final Chunk chunk) throws IOException {
        if (finished) {
            throw new IllegalStateException("the stream is finished");
        }
        final boolean eos = chunk instanceof Chunk.EndOfStream;
        if (eos && eosSeen == 1) {
            // QEMU's precopy sends no bits while iterating: the bulk EOS is dropped, the bits go to SECTION_END
            eosSeen++;
            return;
        }
        ChunkCodec.write(encoder.toWire(chunk), out);
        if (eos) {
            eosSeen++;
            footer();
            if (eosSeen == 1) {
                out.writeByte(SECTION_PART);
                out.writeInt(SECTION_ID);
                out.writeByte(EOS_FLAG);
                footer();
                out.writeByte(SECTION_END);
                out.writeInt(SECTION_ID);
            } else {
                finished = true;
            }
        }
    }

    /** Ends the stream: EOF and a VM description (which QEMU reads after EOF and skips). */
    public void finish() throws IOException {
        if (!finished) {
            throw new IllegalStateException("the migration's chunks are incomplete: " + eosSeen + " of 3 EOS written");
        }
        out.writeByte(SavevmReader.EOF);
        final byte[] vmdesc = "{\"page_size\": 4096, \"devices\": []}".getBytes(StandardCharsets.US_ASCII);
        out.writeByte(SavevmReader.VMDESCRIPTION);
        out.writeInt(vmdesc.length);
        out.write(vmdesc);
        out.flush();
    }

    private void footer() throws IOException {
        out.writeByte(SavevmReader.FOOTER);
        out.writeInt(SECTION_ID);
    }
}
