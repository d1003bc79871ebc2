package org.dbmstream.codec.savevm;

import java.io.IOException;
import org.dbmstream.codec.WireReader;

/**
 * Skips the payload of a {@code ram} section (QEMU's ram_load_precopy format) without holding pages:
 * be64 words whose low 12 bits are flags, until EOS. Capabilities that add fields to MEM_SIZE entries
 * (postcopy with huge pages, x-ignore-shared) and RDMA hooks are not supported and reported.
 */
final class RamSection {
    static final int ZERO = 0x02;
    static final int MEM_SIZE = 0x04;
    static final int PAGE = 0x08;
    static final int EOS = 0x10;
    static final int CONTINUE = 0x20;
    static final int XBZRLE = 0x40;
    static final int HOOK = 0x80;
    static final int COMPRESS_PAGE = 0x100;
    static final int MULTIFD_FLUSH = 0x200;
    private static final int FLAG_MASK = 0xfff;
    private static final int SUPPORTED = ZERO | MEM_SIZE | PAGE | EOS | CONTINUE | XBZRLE | COMPRESS_PAGE
            | MULTIFD_FLUSH;

    private RamSection() {
    }

    static void skip(WireReader in, int pageSize) throws IOException {
        while (true) {
            long at = in.position();
            long word = in.readBe64("RAM word");
            int flags = (int) (word & FLAG_MASK);
            long addr = word & ~FLAG_MASK;
            if ((flags & ~SUPPORTED) != 0) {
                throw new SavevmFormatException("unsupported RAM flags 0x" + Integer.toHexString(flags)
                        + ((flags & HOOK) != 0 ? " (RDMA hook)" : ""), at);
            }
            if ((flags & MEM_SIZE) != 0) {
                skipBlockList(in, addr);
            }
            if ((flags & (ZERO | PAGE | XBZRLE | COMPRESS_PAGE)) != 0 && (flags & CONTINUE) == 0) {
                skipCountedString(in, "RAM block id");
            }
            if ((flags & ZERO) != 0) {
                in.skip(1, "zero page fill byte");
            } else if ((flags & PAGE) != 0) {
                in.skip(pageSize, "RAM page");
            } else if ((flags & XBZRLE) != 0) {
                in.skip(1, "XBZRLE header");
                in.skip(in.readBe16("XBZRLE length"), "XBZRLE data");
            } else if ((flags & COMPRESS_PAGE) != 0) {
                in.skip(in.readBe32("compressed page length"), "compressed page");
            }
            if ((flags & EOS) != 0) {
                return;
            }
        }
    }

    /** MEM_SIZE: counted-string block id and be64 length per block, until the lengths add up. */
    private static void skipBlockList(WireReader in, long totalBytes) throws IOException {
        long left = totalBytes;
        while (left > 0) {
            long at = in.position();
            skipCountedString(in, "RAM block id");
            long length = in.readBe64("RAM block length");
            if (length <= 0 || length > left) {
                throw new SavevmFormatException("RAM block length " + Long.toUnsignedString(length)
                        + " does not fit the remaining total " + left, at);
            }
            left -= length;
        }
    }

    static void skipCountedString(WireReader in, String what) throws IOException {
        in.skip(in.readU8(what + " length"), what);
    }
}
