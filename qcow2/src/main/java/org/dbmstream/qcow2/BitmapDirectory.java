package org.dbmstream.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.dbmstream.bitmap.Granularity;

/**
 * Parses the qcow2 bitmap directory: entries of 24 bytes, then extra data, then the name, padded to
 * 8 bytes. Checks the constraints QEMU checks before it loads a bitmap, with the bitmap's name.
 * Extra data is skipped when the entry marks it {@code extra_data_compatible}, as the qcow2 spec
 * allows (QEMU 7.2 itself refuses any extra data); otherwise the bitmap is refused.
 */
final class BitmapDirectory {
    static final int FLAG_IN_USE = 1;
    static final int FLAG_AUTO = 1 << 1;
    static final int FLAG_EXTRA_DATA_COMPATIBLE = 1 << 2;
    private static final int KNOWN_FLAGS = FLAG_IN_USE | FLAG_AUTO | FLAG_EXTRA_DATA_COMPATIBLE;
    private static final int TYPE_DIRTY_TRACKING = 1;
    private static final int ENTRY_HEADER = 24;
    private static final int MAX_TABLE_SIZE = 0x8000000;
    private static final long MAX_PHYS_SIZE = 0x20000000L;
    private static final int MAX_NAME_SIZE = 1023;

    private BitmapDirectory() {
    }

    static List<Qcow2Bitmap> read(ImageFile file, Qcow2Header header, BitmapsExtension ext) throws IOException {
        ByteBuffer dir = file.read(ext.directoryOffset(), (int) ext.directorySize(), "the bitmap directory");
        List<Qcow2Bitmap> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int pos = 0;
        while (pos < dir.limit()) {
            if (out.size() == ext.nbBitmaps()) {
                throw new Qcow2Exception("corrupt bitmap directory: more bitmaps found than the "
                        + ext.nbBitmaps() + " the bitmaps extension specifies");
            }
            if (pos + ENTRY_HEADER > dir.limit()) {
                throw new Qcow2Exception("corrupt bitmap directory: entry at byte " + pos + " is cut off");
            }
            long tableOffset = dir.getLong(pos);
            long tableSize = dir.getInt(pos + 8) & 0xffffffffL;
            int flags = dir.getInt(pos + 12);
            int type = dir.get(pos + 16) & 0xff;
            int granularityBits = dir.get(pos + 17) & 0xff;
            int nameSize = dir.getShort(pos + 18) & 0xffff;
            long extraSize = dir.getInt(pos + 20) & 0xffffffffL;
            long entrySize = QemuAlign.up8(ENTRY_HEADER + extraSize + nameSize);
            if (pos + entrySize > dir.limit()) {
                throw new Qcow2Exception("corrupt bitmap directory: entry at byte " + pos + " is cut off");
            }
            byte[] nameBytes = new byte[nameSize];
            dir.get(pos + ENTRY_HEADER + (int) extraSize, nameBytes);
            String name = name(nameBytes);
            String problem = problem(header, tableOffset, tableSize, flags, type, granularityBits, nameSize,
                    extraSize);
            if (problem != null) {
                throw new Qcow2Exception("Bitmap '" + name + "' doesn't satisfy the constraints: " + problem);
            }
            if (!names.add(name)) {
                throw new Qcow2Exception("corrupt bitmap directory: bitmap '" + name + "' appears twice");
            }
            out.add(new Qcow2Bitmap(name, Granularity.of(1L << granularityBits), header.virtualSize(),
                    (flags & FLAG_AUTO) != 0, (flags & FLAG_IN_USE) != 0, header.bitmapsConsistent(),
                    tableOffset, (int) tableSize));
            pos += (int) entrySize;
        }
        if (out.size() != ext.nbBitmaps()) {
            throw new Qcow2Exception("corrupt bitmap directory: " + out.size() + " bitmaps found, the bitmaps"
                    + " extension specifies " + ext.nbBitmaps());
        }
        return out;
    }

    /**
     * The name, decoded strictly: a name that is not UTF-8 is refused with its bytes shown, never changed
     * (a lossy decode would migrate another name, U+FFFD in place of each bad byte).
     */
    private static String name(byte[] bytes) throws Qcow2Exception {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Qcow2Exception("a bitmap name is not valid UTF-8: bytes " + HexFormat.ofDelimiter(" ")
                    .formatHex(bytes) + " (hex)");
        }
    }

    /** What is wrong with an entry, or null. */
    private static String problem(Qcow2Header header, long tableOffset, long tableSize, int flags, int type,
                                  int granularityBits, int nameSize, long extraSize) {
        int clusterSize = header.clusterSize();
        if (type != TYPE_DIRTY_TRACKING) {
            return "type " + type + " is not a dirty tracking bitmap (1)";
        }
        if ((flags & ~KNOWN_FLAGS) != 0) {
            return String.format("reserved flags 0x%x are set", flags & ~KNOWN_FLAGS);
        }
        if (extraSize != 0 && (flags & FLAG_EXTRA_DATA_COMPATIBLE) == 0) {
            return "it has " + extraSize + " bytes of extra data that must be understood to use it";
        }
        if (granularityBits < 9 || granularityBits > 31) {
            return "granularity_bits " + granularityBits + " outside 9..31";
        }
        if (nameSize > MAX_NAME_SIZE) {
            return "name of " + nameSize + " bytes exceeds " + MAX_NAME_SIZE;
        }
        if (tableSize == 0 || tableSize > MAX_TABLE_SIZE) {
            return "bitmap_table_size " + tableSize + " outside 1.." + MAX_TABLE_SIZE;
        }
        if (tableOffset <= 0 || tableOffset % clusterSize != 0) {
            return "bitmap_table_offset " + tableOffset + " is not a cluster offset";
        }
        long physBytes = tableSize * clusterSize;
        if (physBytes > MAX_PHYS_SIZE) {
            return "bitmap data of " + physBytes + " bytes exceeds " + MAX_PHYS_SIZE;
        }
        // An in_use bitmap may be stale after a resize; only a stored one must cover the disk.
        boolean covers = Long.numberOfLeadingZeros(physBytes * 8) <= granularityBits // overflow: covers any disk
                || header.virtualSize() <= (physBytes * 8) << granularityBits;
        if ((flags & FLAG_IN_USE) == 0 && !covers) {
            return "its table of " + tableSize + " clusters is too small for a disk of " + header.virtualSize()
                    + " bytes";
        }
        return null;
    }
}
