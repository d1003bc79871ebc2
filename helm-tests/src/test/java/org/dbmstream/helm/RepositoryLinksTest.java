package org.dbmstream.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every relative link in the repository's Markdown files resolves to a file inside a clone. */
class RepositoryLinksTest {
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void markdownLinksStayInsideTheRepository() throws IOException {
        final Path root = ChartHelm.chartDir().resolve("../..").toRealPath();
        final List<String> broken = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path md : files.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !root.relativize(p).toString().matches("(^|.*/)(target|\\.git|\\.mvn|\\.dbm)/.*"))
                    .toList()) {
                final Matcher m = LINK.matcher(Files.readString(md));
                while (m.find()) {
                    final String target = m.group(1).replaceAll("#.*$", "");
                    if (target.isEmpty() || target.matches("^[a-z]+:.*")) {
                        continue; // an anchor in the same file, or a web address
                    }
                    final Path resolved = md.getParent().resolve(target).normalize();
                    if (!resolved.startsWith(root) || !Files.exists(resolved)) {
                        broken.add(root.relativize(md) + " -> " + m.group(1));
                    }
                }
            }
        }
        assertThat(broken).as("links that do not resolve inside the repository").isEmpty();
    }
}
