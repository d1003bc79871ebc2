package org.dbmstream.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Destination writes from a text file: one per line, {@code NODE OFFSET LENGTH} in bytes, separated by
 * blanks; blank lines and lines starting with {@code #} are skipped. A bad line is an error naming the file,
 * the line and what was expected.
 */
public final class WritesFile {
    private WritesFile() {
    }

    /**
     * One guest write on the destination: {@code length} bytes at {@code offset} of node {@code node}, from
     * line {@code line} of its file (0: not from a file).
     */
    public record Write(String node, long offset, long length, int line) {
        public Write {
            Objects.requireNonNull(node, "node");
        }

        public Write(String node, long offset, long length) {
            this(node, offset, length, 0);
        }
    }

    /** The writes of {@code file}; a line that is not a write, or bytes that are not UTF-8, are refused. */
    public static List<Write> read(Path file) throws IOException {
        List<Write> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = TextFiles.readUtf8(file).lines().toList();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("writes file " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            out.add(parse(line, file, i + 1));
        }
        return out;
    }

    private static Write parse(String line, Path file, int number) {
        String[] f = line.split("\\s+");
        String where = "writes file " + file + " line " + number + ": ";
        if (f.length != 3) {
            throw new IllegalArgumentException(where + "expected NODE OFFSET LENGTH (bytes), got '" + line + "'");
        }
        long offset;
        long length;
        try {
            offset = Long.parseLong(f[1]);
            length = Long.parseLong(f[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + "OFFSET and LENGTH must be whole numbers of bytes, got '"
                    + line + "'", e);
        }
        if (offset < 0 || length <= 0 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException(where + "a write needs OFFSET >= 0 and LENGTH > 0, got '" + line + "'");
        }
        return new Write(f[0], offset, length, number);
    }
}
