package org.dbmstream.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether QEMU's programs are installed, for tests that need a real QEMU: they skip when it is absent,
 * except under {@code CI=true}, where an absent QEMU is a failure (CI installs it).
 */
public final class QemuTools {
    private QemuTools() {
    }

    /** True when every program is on the PATH; false when one is missing; throws under CI=true. */
    public static boolean available(final String... programs) {
        for (final String p : programs) {
            if (find(p) == null) {
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    throw new IllegalStateException(p + " is not installed, but CI=true requires the real tools "
                            + "(apt-get install qemu-utils qemu-system-x86 openssl; .ci/run installs them)");
                }
                return false;
            }
        }
        return true;
    }

    /** The program's path on the PATH, or null. */
    public static Path find(final String program) {
        final String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator)) {
            final Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
