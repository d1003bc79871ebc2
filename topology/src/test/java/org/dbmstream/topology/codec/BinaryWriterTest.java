package org.dbmstream.topology.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The writer's bytes are exactly {@link DataOutputStream}'s, which earlier versions stored. */
class BinaryWriterTest {
    @Test
    void writesWhatDataOutputStreamWrites() throws IOException {
        final SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            final ByteArrayOutputStream expectedBytes = new ByteArrayOutputStream();
            final DataOutputStream expected = new DataOutputStream(expectedBytes);
            // a small initial capacity, so that growing is exercised too
            final BinaryWriter actual = new BinaryWriter(1);
            final int fields = random.nextInt(1, 40);
            for (int i = 0; i < fields; i++) {
                switch (random.nextInt(5)) {
                    case 0 -> {
                        final int v = random.nextInt();
                        expected.writeByte(v);
                        actual.int8(v);
                    }
                    case 1 -> {
                        final int v = random.nextInt();
                        expected.writeInt(v);
                        actual.int32(v);
                    }
                    case 2 -> {
                        final long v = random.nextLong();
                        expected.writeLong(v);
                        actual.int64(v);
                    }
                    case 3 -> {
                        final String s = "bitmap ü €" + random.nextInt(1000);
                        final byte[] b = s.getBytes(StandardCharsets.UTF_8);
                        expected.writeInt(b.length);
                        expected.write(b);
                        actual.string(s);
                    }
                    default -> {
                        final byte[] b = new byte[random.nextInt(3000)];
                        random.nextBytes(b);
                        expected.write(b);
                        actual.raw(b);
                    }
                }
            }
            assertArrayEquals(expectedBytes.toByteArray(), actual.toByteArray());
        }
    }
}
