package org.dbmstream.connectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Expands the configured image paths: files as given, directories to their matching files, sorted. */
final class ImageFiles {
    private ImageFiles() {
    }

    /** Absolute, normalized image files, each once, in configuration order (directories sorted by name). */
    static List<Path> expand(List<String> paths, String glob) {
        Set<Path> out = new LinkedHashSet<>();
        for (String p : paths) {
            if (p.isBlank()) {
                continue;
            }
            Path path = Path.of(p.trim()).toAbsolutePath().normalize();
            if (Files.isDirectory(path)) {
                List<Path> found = new ArrayList<>();
                try (DirectoryStream<Path> dir = Files.newDirectoryStream(path, glob)) {
                    for (Path f : dir) {
                        if (Files.isRegularFile(f)) {
                            found.add(f.toAbsolutePath().normalize());
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list image directory " + path, e);
                }
                found.sort(null);
                out.addAll(found);
            } else {
                out.add(path);
            }
        }
        return new ArrayList<>(out);
    }
}
