package org.dbmstream.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the CLI as a user would start it: exit code, standard output, standard error. */
record DbmRun(int exit, String out, String err) {
    static DbmRun of(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = Dbm.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new DbmRun(exit, out.toString(), err.toString());
    }
}
