package org.dbmstream.cli;

import picocli.CommandLine.Option;

/** {@code -w/--wide}, for the commands that print tables: full values instead of a table that fits 100 columns. */
public final class WideOption {
    @Option(names = {"-w", "--wide"}, description = "Full values (whole sha256 digests, every column); the default "
            + "table fits 100 columns.")
    public boolean wide;
}
