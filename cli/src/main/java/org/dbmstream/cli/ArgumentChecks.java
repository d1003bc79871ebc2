package org.dbmstream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dbmstream.bitmap.ReplicaNames;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of option values made before anything starts, as bad arguments (exit 2): each message names
 * the option and the value.
 */
public final class ArgumentChecks {
    private ArgumentChecks() {
    }

    /** {@code file} as given to {@code option}, when it is a readable regular file. */
    public static Path readable(final CommandSpec spec, final String option, final Path file) {
        final String problem = !Files.exists(file) ? "no such file"
                : Files.isDirectory(file) ? "is a directory"
                : !Files.isReadable(file) ? "not readable" : null;
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), option + " " + file + ": " + problem);
        }
        return file;
    }

    /** A size such as 64K or 50M given to {@code option}. */
    public static long size(final CommandSpec spec, final String option, final String text) {
        try {
            return Sizes.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage(), e);
        }
    }

    /** The output file {@code name} given to {@code option} ({@link OutputTarget}), refused when unusable. */
    static OutputTarget output(final CommandSpec spec, final String option, final String name) {
        try {
            return OutputTarget.of(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + " " + e.getMessage(), e);
        }
    }

    /** A name given to {@code option} that the replica can be read back by ({@link ReplicaNames}). */
    public static String name(final CommandSpec spec, final String option, final ReplicaNames.Kind kind,
            final String name) {
        ReplicaNames.problem(kind, name).ifPresent(p -> {
            throw new ParameterException(spec.commandLine(), option + ": " + p);
        });
        return name;
    }
}
