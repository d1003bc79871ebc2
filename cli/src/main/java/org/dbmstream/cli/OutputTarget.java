package org.dbmstream.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.UUID;
import org.dbmstream.source.TemporaryFiles;

/**
 * A file a command writes ({@code -o FILE}), written the way its kind needs: {@code -} is standard output;
 * a character device, FIFO or other special file is opened and written through (never replaced: renaming
 * over {@code /dev/null} would turn the device into a regular file); a symbolic link is followed, so
 * the file it points to is written; a regular file or a new one is written to a temporary file beside
 * the real target (same directory, so the rename is atomic) and renamed over it only once everything was
 * written, so a failed or killed command leaves the old file, never half a new one. The temporary file
 * is removed on every other path, SIGTERM included ({@link TemporaryFiles}).
 */
final class OutputTarget {
    /** How many symbolic links are followed before giving up (Linux's own limit, MAXSYMLINKS). */
    private static final int MAX_LINKS = 40;

    /** How the file is written. */
    enum Kind { STDOUT, THROUGH, REPLACE }

    /** What a command writes into the target. */
    @FunctionalInterface
    interface Body<T> {
        T writeTo(OutputStream out) throws IOException;
    }

    private final String name;
    private final Path path;
    private final Kind kind;

    private OutputTarget(String name, Path path, Kind kind) {
        this.name = name;
        this.path = path;
        this.kind = kind;
    }

    /**
     * The target {@code name} given to an option; a problem (an empty name, a directory, a directory that
     * does not exist or cannot be written) is an {@link IllegalArgumentException} whose message the caller
     * puts after the option.
     */
    static OutputTarget of(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("'': an empty file name (use - for standard output)");
        }
        if (name.equals("-")) {
            return new OutputTarget(name, null, Kind.STDOUT);
        }
        Path real = followLinks(Path.of(name));
        if (Files.isDirectory(real)) {
            throw new IllegalArgumentException(name + ": is a directory");
        }
        if (Files.exists(real)) {
            BasicFileAttributes attrs = attributes(real);
            if (!attrs.isRegularFile()) {
                return new OutputTarget(name, real, Kind.THROUGH);
            }
            if (!Files.isWritable(real)) {
                throw new IllegalArgumentException(name + ": not writable");
            }
        }
        Path dir = real.getParent();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(name + ": no such directory " + dir);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException(name + ": cannot create files in " + dir);
        }
        return new OutputTarget(name, real, Kind.REPLACE);
    }

    /** The name as the user gave it. */
    String name() {
        return name;
    }

    Kind kind() {
        return kind;
    }

    /** The file written in the end (symbolic links followed); null for standard output. */
    Path path() {
        return path;
    }

    /**
     * Runs {@code body} on the target's stream and returns what it returns. For a regular file the new
     * content replaces the old one only if {@code body} returns normally.
     */
    <T> T write(Body<T> body) throws IOException {
        return switch (kind) {
            case STDOUT -> {
                // standard output stays open for whatever the command prints later
                OutputStream stdout = new FileOutputStream(FileDescriptor.out);
                OutputStream out = new BufferedOutputStream(new FilterOutputStream(stdout) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        stdout.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                }, 1 << 16);
                T result = body.writeTo(out);
                out.flush();
                yield result;
            }
            case THROUGH -> {
                // opened for writing only: no O_CREAT, no O_TRUNC, the node stays what it is
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path,
                        StandardOpenOption.WRITE), 1 << 16)) {
                    yield body.writeTo(out);
                }
            }
            case REPLACE -> replace(body);
        };
    }

    private <T> T replace(Body<T> body) throws IOException {
        Path part = TemporaryFiles.register(path.resolveSibling("." + path.getFileName() + "."
                + UUID.randomUUID().toString().substring(0, 8) + ".part"));
        try {
            T result;
            try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                result = body.writeTo(out);
                out.flush();
                // on disk before the rename makes it the file: a crash leaves the old content or the new
                channel.force(true);
            }
            keepPermissions(part);
            Files.move(part, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            TemporaryFiles.keep(part);
            return result;
        } finally {
            TemporaryFiles.delete(part);
        }
    }

    /** A replaced file keeps its permissions (the temporary file has the defaults of a new file). */
    private void keepPermissions(Path part) throws IOException {
        PosixFileAttributeView old = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (old != null && Files.exists(path)) {
            Files.setPosixFilePermissions(part, old.readAttributes().permissions());
        }
    }

    /**
     * The file {@code given} names once every symbolic link is followed, also a dangling one (then the
     * file it points to will be created) and links in its directories.
     */
    static Path followLinks(Path given) {
        Path p = given.toAbsolutePath();
        for (int i = 0; i < MAX_LINKS; i++) {
            if (Files.exists(p)) {
                try {
                    return p.toRealPath();
                } catch (IOException e) {
                    throw new IllegalArgumentException(given + ": " + e.getMessage(), e);
                }
            }
            if (!Files.isSymbolicLink(p)) {
                Path dir = p.getParent();
                return Files.isDirectory(dir) ? realDirectory(given, dir).resolve(p.getFileName()) : p;
            }
            try {
                p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
            } catch (IOException e) {
                throw new IllegalArgumentException(given + ": cannot read the symbolic link: " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException(given + ": too many levels of symbolic links");
    }

    private static Path realDirectory(Path given, Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException(given + ": " + e.getMessage(), e);
        }
    }

    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new IllegalArgumentException(p + ": " + e.getMessage(), e);
        }
    }
}
