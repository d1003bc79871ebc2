package org.dbmstream.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Text files a user gives (mappings, writes): UTF-8, read strictly, a bad byte named by line and offset. */
public final class TextFiles {
    private TextFiles() {
    }

    /**
     * The text of {@code file}; bytes that are not UTF-8 are an {@link IllegalArgumentException} saying
     * where (Java's own message, "Input length = 1", says nothing a user can act on).
     */
    public static String readUtf8(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new IllegalArgumentException(String.format("%s: not UTF-8 text: byte 0x%02x at offset %d (line %d)",
                    file, bytes[at] & 0xff, at, line));
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
