package org.dbmstream.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Any SeekableByteChannel can be read; one image can be read by several threads at once. */
class ChannelsTest {
    @TempDir
    Path tmp;

    private static Map<String, String> qemuShaOf(String image) {
        return Expected.read(TestImages.extraDir().resolve("expected.jsonl")).stream()
                .filter(e -> e.image().equals(image)).collect(Collectors.toMap(Expected::name, Expected::sha256));
    }

    @Test
    void readsFromAPlainSeekableByteChannel() throws IOException {
        Map<String, String> qemu = qemuShaOf("names.qcow2");
        Path file = TestImages.extraImage("names.qcow2", tmp);
        try (Qcow2Image img = Qcow2Image.open(new PlainChannel(Files.newByteChannel(file)))) {
            for (Qcow2Bitmap b : img.bitmaps()) {
                assertThat(img.report(b).sha256()).as(b.name()).isEqualTo(qemu.get(b.name()));
            }
            assertThat(img.bitmaps()).hasSize(qemu.size());
        }
    }

    @Test
    void threadsShareOneImage() throws Exception {
        Map<String, String> qemu = qemuShaOf("many.qcow2");
        Path file = TestImages.extraImage("many.qcow2", tmp);
        Map<String, String> got = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Qcow2Image img = Qcow2Image.open(file)) {
            List<Future<?>> jobs = img.bitmaps().stream().map(b -> pool.submit(() -> {
                try {
                    got.put(b.name(), img.data(b).digest().sha256());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            })).collect(Collectors.toList());
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(got).hasSize(40).isEqualTo(qemu);
    }

    /** A SeekableByteChannel that is not a FileChannel. */
    private record PlainChannel(SeekableByteChannel in) implements SeekableByteChannel {
        @Override
        public int read(ByteBuffer dst) throws IOException {
            return in.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            throw new IOException("read-only");
        }

        @Override
        public long position() throws IOException {
            return in.position();
        }

        @Override
        public SeekableByteChannel position(long p) throws IOException {
            in.position(p);
            return this;
        }

        @Override
        public long size() throws IOException {
            return in.size();
        }

        @Override
        public SeekableByteChannel truncate(long size) throws IOException {
            throw new IOException("read-only");
        }

        @Override
        public boolean isOpen() {
            return in.isOpen();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
