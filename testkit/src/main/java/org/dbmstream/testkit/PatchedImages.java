package org.dbmstream.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Images QEMU made, patched byte for byte into images QEMU refuses (as a careless tool or a bit flip would
 * leave them), so every reader's refusal can be tested without QEMU: the qcow2 header (virtual size at byte
 * 24) and the bitmap directory (found through the bitmaps header extension, docs/interop/qcow2.txt).
 */
public final class PatchedImages {
    private static final int EXT_BITMAPS = 0x23852875;

    private PatchedImages() {
    }

    /** Sets the image's virtual size to 0 while its bitmaps stay: QEMU refuses to open it. */
    public static Path zeroVirtualSize(Path image) {
        write(image, 24, new byte[8]);
        return image;
    }

    /** Replaces the bytes of bitmap {@code name}'s name (same length) with {@code bytes}. */
    public static Path renameBitmap(Path image, String name, byte[] bytes) {
        byte[] old = name.getBytes(StandardCharsets.UTF_8);
        if (old.length != bytes.length) {
            throw new IllegalArgumentException("the new name must have " + old.length + " bytes");
        }
        write(image, nameOffset(image, old), bytes);
        return image;
    }

    private static long nameOffset(Path image, byte[] name) {
        ByteBuffer header = read(image, 0, 4096);
        int pos = header.getInt(100);
        while (header.getInt(pos) != 0) {
            int length = header.getInt(pos + 4);
            if (header.getInt(pos) == EXT_BITMAPS) {
                long dirSize = header.getLong(pos + 16);
                long dirOffset = header.getLong(pos + 24);
                ByteBuffer dir = read(image, dirOffset, (int) dirSize);
                for (int e = 0; e < dirSize; ) {
                    int nameSize = dir.getShort(e + 18) & 0xffff;
                    int extra = dir.getInt(e + 20);
                    byte[] found = Arrays.copyOfRange(dir.array(), e + 24 + extra, e + 24 + extra + nameSize);
                    if (Arrays.equals(found, name)) {
                        return dirOffset + e + 24 + extra;
                    }
                    e += (24 + extra + nameSize + 7) & ~7;
                }
            }
            pos += 8 + ((length + 7) & ~7);
        }
        throw new IllegalArgumentException("no bitmap '" + new String(name, StandardCharsets.UTF_8) + "' in " + image);
    }

    private static ByteBuffer read(Path image, long offset, int length) {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            ch.read(b, offset);
            return b.clear();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path image, long offset, byte[] bytes) {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
