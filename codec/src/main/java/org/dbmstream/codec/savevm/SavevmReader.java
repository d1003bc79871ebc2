package org.dbmstream.codec.savevm;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.dbmstream.codec.ChunkCodec;
import org.dbmstream.codec.InputTruncatedException;
import org.dbmstream.codec.WireChunk;
import org.dbmstream.codec.WireReader;

/**
 * Reads a whole QEMU migration stream file (plain or gzip, detected by magic) and hands out the
 * chunks of its {@code dirty-bitmap} section in stream order, streaming: nothing but the current chunk
 * is held, so multi-GB streams are fine. RAM is skipped by its own framing; other devices' vmstate
 * (which has no length field) is skipped by scanning to its footer ({@code 0x7e} + be32 section id)
 * followed by a valid section-type byte. Offsets are in the uncompressed stream.
 */
public final class SavevmReader implements Closeable {
    /** {@code QEVM}. */
    public static final int MAGIC = 0x5145564d;
    public static final int VERSION = 3;
    public static final String DIRTY_BITMAP = "dirty-bitmap";
    static final int EOF = 0x00;
    static final int SUBSECTION = 0x05;
    static final int VMDESCRIPTION = 0x06;
    static final int CONFIGURATION = 0x07;
    static final int COMMAND = 0x08;
    static final int FOOTER = 0x7e;
    private static final int MIG_CMD_POSTCOPY_ADVISE = 3;
    private static final int MIG_CMD_POSTCOPY_RUN = 5;
    private static final int MIG_CMD_PACKAGED = 7;
    /** QEMU's MAX_VM_CMD_PACKAGED_SIZE. */
    private static final long MAX_PACKAGED = 1L << 24;
    private static final int MAX_VMDESC = 16 << 20;

    private final InputStream source;
    private final boolean gzip;
    private final WireReader in;
    private int pageSize;
    private final List<Section> sections = new ArrayList<>();
    private final Map<Long, Section> started = new HashMap<>();
    private Section current;
    private boolean inBitmapSection;
    private boolean footerPending;
    private boolean finished;
    private String vmDescription;
    private long chunksRead;
    private long switchoverAfter = -1;
    private long packageEnd = -1;
    private boolean postcopy;

    private SavevmReader(InputStream source, int pageSize) {
        this.source = source;
        this.gzip = source instanceof GZIPInputStream;
        this.in = new WireReader(source, 0);
        this.pageSize = pageSize;
    }

    /** Opens {@code file}, gzip or plain, assuming 4 KiB target pages unless the stream says otherwise. */
    public static SavevmReader open(Path file) throws IOException {
        return of(Files.newInputStream(file), 4096);
    }

    /**
     * Reads {@code stream} (gzip or plain); {@code pageSize} is the target page size for RAM pages
     * (a {@code configuration/target-page-bits} subsection in the stream overrides it). Checks the
     * header at once.
     */
    public static SavevmReader of(InputStream stream, int pageSize) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(stream, 64 * 1024);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        InputStream raw = buffered;
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                raw = new GZIPInputStream(buffered, 64 * 1024);
            } catch (EOFException | ZipException e) {
                buffered.close();
                throw new SavevmFormatException("damaged gzip header: " + e.getMessage(), 0, e);
            }
        }
        SavevmReader reader = new SavevmReader(raw, pageSize);
        try {
            reader.readHeader();
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
        return reader;
    }

    /** Every dirty-bitmap chunk of {@code file}, in order (for small streams and tests). */
    public static List<SavevmChunk> readAll(Path file) throws IOException {
        try (SavevmReader r = open(file)) {
            List<SavevmChunk> out = new ArrayList<>();
            for (SavevmChunk c = r.next(); c != null; c = r.next()) {
                out.add(c);
            }
            return out;
        }
    }

    /** The next dirty-bitmap chunk, or null once the stream's EOF marker is reached. */
    public SavevmChunk next() throws IOException {
        try {
            while (true) {
                if (footerPending) {
                    readFooter(current);
                    footerPending = false;
                }
                if (inBitmapSection) {
                    long at = in.position();
                    WireChunk wire = ChunkCodec.read(in);
                    if (wire.kind() == WireChunk.Kind.EOS) {
                        inBitmapSection = false;
                        footerPending = true;
                    }
                    chunksRead++;
                    return new SavevmChunk(at, (int) (in.position() - at), current.type(), wire);
                }
                if (finished) {
                    return null;
                }
                readSection();
            }
        } catch (InputTruncatedException e) {
            throw new SavevmFormatException("truncated migration stream: " + e.getMessage(), e.endOffset(), e);
        } catch (EOFException | ZipException e) {
            // From the gzip layer: the compressed file is cut short or damaged.
            throw new SavevmFormatException("damaged gzip migration stream: " + e.getMessage(), in.position(), e);
        }
    }

    /**
     * Where the destination VM starts: the number of dirty-bitmap chunks handed out before the postcopy
     * RUN command, once it was read; -1 before (and for a precopy stream, which has none).
     */
    public long switchoverAfter() {
        return switchoverAfter;
    }

    /** Whether the stream advised postcopy (POSTCOPY_ADVISE), as far as read. */
    public boolean postcopy() {
        return postcopy;
    }

    /** Section headers read so far, in order. */
    public List<Section> sections() {
        return List.copyOf(sections);
    }

    /** The JSON VM description after the EOF marker, once reached; null if the stream has none. */
    public String vmDescription() {
        return vmDescription;
    }

    /** Offset of the next unread byte of the uncompressed stream. */
    public long position() {
        return in.position();
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    private void readHeader() throws IOException {
        try {
            long magic = in.readBe32("magic");
            if (magic != MAGIC) {
                throw new SavevmFormatException("not a QEMU migration stream: magic 0x" + Long.toHexString(magic)
                        + ", expected 0x" + Integer.toHexString(MAGIC) + " (QEVM)", 0);
            }
            long version = in.readBe32("version");
            if (version != VERSION) {
                throw new SavevmFormatException("unsupported migration stream version " + version + ", expected "
                        + VERSION, 4);
            }
        } catch (InputTruncatedException e) {
            throw new SavevmFormatException("truncated migration stream header: " + e.getMessage(), e.endOffset(), e);
        } catch (EOFException | ZipException e) {
            throw new SavevmFormatException("damaged gzip migration stream: " + e.getMessage(), in.position(), e);
        }
    }

    /** Reads one top-level record; on a dirty-bitmap section stops at its first chunk. */
    private void readSection() throws IOException {
        long at = in.position();
        if (packageEnd >= 0 && at >= packageEnd) {
            if (at > packageEnd) {
                throw new SavevmFormatException("a section runs past the end of its package (at 0x"
                        + Long.toHexString(packageEnd) + ")", at);
            }
            packageEnd = -1;
        }
        if (in.atEnd()) {
            throw new SavevmFormatException("migration stream ends without its EOF marker", at);
        }
        int type = in.readU8("section type");
        switch (type) {
            case EOF -> {
                if (packageEnd >= 0) {
                    // QEMU stops loading the package at its EOF; the outer stream goes on after it
                    in.skip(packageEnd - in.position(), "rest of package");
                    packageEnd = -1;
                } else {
                    readTrailer();
                }
            }
            case 0x01, 0x04 -> {
                long id = in.readBe32("section id");
                String name = readCountedString("section name");
                long instance = in.readBe32("instance id");
                long version = in.readBe32("version id");
                Section s = new Section(at, type == 0x01 ? Section.Type.START : Section.Type.FULL, id, name,
                        instance, version);
                started.put(id, s);
                enter(s);
            }
            case 0x02, 0x03 -> {
                long id = in.readBe32("section id");
                Section first = started.get(id);
                if (first == null) {
                    throw new SavevmFormatException("section id " + id + " was never started", at);
                }
                enter(new Section(at, type == 0x02 ? Section.Type.PART : Section.Type.END, id, first.name(),
                        first.instance(), first.version()));
            }
            case CONFIGURATION -> readConfiguration();
            case COMMAND -> readCommand(at);
            default -> throw new SavevmFormatException("unknown section type 0x" + Integer.toHexString(type), at);
        }
    }

    /**
     * A command: POSTCOPY_ADVISE marks a postcopy stream; RUN is where the destination VM starts (the
     * switchover); PACKAGED wraps a nested stream (LISTEN, the devices' state, RUN) that is read in line,
     * as QEMU's destination loads it before going on with the outer stream. Others are skipped.
     */
    private void readCommand(long at) throws IOException {
        int cmd = in.readBe16("command");
        int len = in.readBe16("command length");
        switch (cmd) {
            case MIG_CMD_PACKAGED -> {
                if (len != 4) {
                    throw new SavevmFormatException("packaged command with " + len + " bytes of data, expected 4", at);
                }
                long size = in.readBe32("package length");
                if (size > MAX_PACKAGED) {
                    throw new SavevmFormatException("Unreasonably large packaged state: " + size, at);
                }
                if (packageEnd >= 0) {
                    throw new SavevmFormatException("a package inside a package", at);
                }
                packageEnd = in.position() + size;
            }
            case MIG_CMD_POSTCOPY_ADVISE -> {
                postcopy = true;
                in.skip(len, "command data");
            }
            case MIG_CMD_POSTCOPY_RUN -> {
                if (switchoverAfter < 0) {
                    switchoverAfter = chunksRead;
                }
                in.skip(len, "command data");
            }
            default -> in.skip(len, "command data");
        }
    }

    private void enter(Section s) throws IOException {
        sections.add(s);
        current = s;
        if (DIRTY_BITMAP.equals(s.name())) {
            if (s.version() != 1) {
                throw new SavevmFormatException("dirty-bitmap section version " + s.version() + ", only 1 exists",
                        s.offset());
            }
            inBitmapSection = true;
            return;
        }
        if ("ram".equals(s.name())) {
            RamSection.skip(in, pageSize);
        } else {
            scanToFooter(s);
        }
        readFooter(s);
    }

    /** A device's vmstate has no length: find {@code 0x7e, be32 id} followed by a section-type byte. */
    private void scanToFooter(Section s) throws IOException {
        long start = in.position();
        while (true) {
            int b = in.peek(0);
            if (b < 0) {
                throw new SavevmFormatException("section '" + s.name() + "' (id " + s.id() + ", payload at 0x"
                        + Long.toHexString(start) + ") has no footer before the end of the stream", in.position());
            }
            if (b == FOOTER && footerAhead(s.id())) {
                return;
            }
            in.skip(1, "vmstate");
        }
    }

    private boolean footerAhead(long id) throws IOException {
        long seen = 0;
        for (int i = 1; i <= 4; i++) {
            int b = in.peek(i);
            if (b < 0) {
                return false;
            }
            seen = seen << 8 | b;
        }
        int next = in.peek(5);
        boolean sectionFollows = next == EOF || (next >= 0x01 && next <= 0x04) || next == COMMAND;
        return seen == id && sectionFollows;
    }

    private void readFooter(Section s) throws IOException {
        long at = in.position();
        int b = in.readU8("section footer");
        if (b != FOOTER) {
            throw new SavevmFormatException("missing section footer for '" + s.name() + "': byte 0x"
                    + Integer.toHexString(b), at);
        }
        long id = in.readBe32("footer section id");
        if (id != s.id()) {
            throw new SavevmFormatException("mismatched section id in footer for '" + s.name() + "': read " + id
                    + ", expected " + s.id(), at);
        }
    }

    /** CONFIGURATION: be32 length + machine type, then optional vmstate subsections. */
    private void readConfiguration() throws IOException {
        long len = in.readBe32("machine type length");
        if (len > 255) {
            throw new SavevmFormatException("machine type length " + len + " is too long", in.position() - 4);
        }
        in.skip(len, "machine type");
        while (in.peek(0) == SUBSECTION) {
            long at = in.position();
            in.readU8("subsection marker");
            String name = readCountedString("subsection name");
            in.readBe32("subsection version");
            switch (name) {
                case "configuration/target-page-bits" -> {
                    long bits = in.readBe32("target page bits");
                    if (bits < 9 || bits > 30) {
                        throw new SavevmFormatException("target page bits " + bits + " out of range", at);
                    }
                    pageSize = 1 << bits;
                }
                case "configuration/capabilities" -> {
                    long count = in.readBe32("capability count");
                    for (long i = 0; i < count; i++) {
                        RamSection.skipCountedString(in, "capability");
                    }
                }
                case "configuration/uuid" -> in.skip(16, "uuid");
                default -> throw new SavevmFormatException("unknown configuration subsection '" + name + "'", at);
            }
        }
    }

    /** After EOF: an optional JSON VM description (0x06, be32 length, JSON). */
    private void readTrailer() throws IOException {
        finished = true;
        if (in.peek(0) == VMDESCRIPTION) {
            in.readU8("vm description marker");
            long len = in.readBe32("vm description length");
            if (len > MAX_VMDESC) {
                in.skip(len, "vm description");
            } else {
                vmDescription = new String(in.readBytes((int) len, "vm description"), StandardCharsets.UTF_8);
            }
        }
        if (gzip) {
            // Read to the gzip trailer so that its CRC and length check the whole file.
            while (!in.atEnd()) {
                in.skip(1, "data after the stream");
            }
        }
    }

    private String readCountedString(String what) throws IOException {
        int len = in.readU8(what + " length");
        return new String(in.readBytes(len, what), StandardCharsets.ISO_8859_1);
    }
}
