package org.dbmstream.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of the {@code dbm} command line. */
@Command(name = "dbm", mixinStandardHelpOptions = true, versionProvider = Dbm.Version.class,
        description = "Replicates QEMU block dirty bitmaps through Apache Kafka.",
        subcommands = {MigrateCommand.class, org.dbmstream.cli.sync.SyncCommand.class, DemoCommand.class, InspectCommand.class, DestinationCommand.class,
            ExportCommand.class,
            BitmapsCommand.class, ApiCommand.class, BenchCommand.class, org.dbmstream.cli.chaos.ChaosCommand.class,
            org.dbmstream.cli.replay.ReplayCommand.class, CommandLine.HelpCommand.class})
public final class Dbm {

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "More log output on stderr: -v info, -vv debug (default: warnings only).")
    void verbosity(final boolean[] flags) {
        final Level level = flags.length >= 2 ? Level.DEBUG : flags.length == 1 ? Level.INFO : Level.WARN;
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(level);
        if (flags.length >= 2) {
            ((Logger) LoggerFactory.getLogger("org.dbmstream")).setLevel(Level.DEBUG);
        }
    }

    public static void main(final String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this rather than {@link #main}). */
    public static int run(final String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with the given output and error writers. */
    public static int run(final PrintWriter out, final PrintWriter err, final String... args) {
        final CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("dbm: " + Causes.message(ex));
            LoggerFactory.getLogger(Dbm.class).debug("failure", ex);
            return 1;
        });
        // -v/-vv set levels for this run only: a JVM that runs several commands (tests, chaos's children do
        // not) would otherwise keep logging at debug after one -vv
        final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        final Logger ours = (Logger) LoggerFactory.getLogger("org.dbmstream");
        final Level rootLevel = root.getLevel();
        final Level ourLevel = ours.getLevel();
        try {
            return cli.execute(args);
        } finally {
            root.setLevel(rootLevel);
            ours.setLevel(ourLevel);
        }
    }

    /**
     * Every command as {@link #run} parses it: one converter per value type for all commands (every
     * {@link java.time.Duration} option reads {@code 30s}, {@code 10m}, {@code PT10M} alike), bad arguments as one
     * line and exit 2.
     */
    static CommandLine commandLine() {
        final CommandLine cli = new CommandLine(new Dbm());
        cli.registerConverter(java.time.Duration.class, new DurationConverter());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler(Dbm::badArguments);
        return cli;
    }

    /** Bad arguments: one line naming the problem and where to find help, exit 2 (not the whole usage). */
    private static int badArguments(final CommandLine.ParameterException ex, final String[] args) {
        final CommandLine cmd = ex.getCommandLine();
        final String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + ex.getMessage());
        cmd.getErr().println("Try '" + name + " --help' for more information.");
        cmd.getErr().flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Version from the jar manifest, or the development version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String v = Dbm.class.getPackage().getImplementationVersion();
            return new String[] {"dbm-stream " + (v != null ? v : "0.1.0-SNAPSHOT")};
        }
    }
}
