package org.dbmstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * Every {@link Duration} option of every command, found by walking the command tree (so that a new command
 * cannot drift), reads the same forms through {@link DurationConverter} and refuses the same values with a
 * message naming the option and the accepted forms.
 */
class DurationOptionsTest {

    /** A Duration option and the command path that leads to it ("migrate", "bitmaps list", ...). */
    private record Found(List<String> path, String option) {
        String[] args(final String value) {
            final List<String> a = new ArrayList<>(path);
            a.add(option);
            a.add(value);
            return a.toArray(String[]::new);
        }
    }

    private static List<Found> durationOptions() {
        final List<Found> found = new ArrayList<>();
        walk(Dbm.commandLine(), new ArrayList<>(), found);
        return found;
    }

    private static void walk(final CommandLine cmd, final List<String> path, final List<Found> found) {
        for (final OptionSpec o : cmd.getCommandSpec().options()) {
            if (o.type() == Duration.class) {
                found.add(new Found(List.copyOf(path), o.longestName()));
            }
        }
        cmd.getSubcommands().forEach((name, sub) -> {
            if (!name.equals(sub.getCommandName())) {
                return; // an alias of a command walked under its name
            }
            final List<String> next = new ArrayList<>(path);
            next.add(name);
            walk(sub, next, found);
        });
    }

    /** Parses {@code args} with a fresh command tree; the value the Duration option got. */
    private static Duration parsed(final Found f, final String value) {
        final CommandLine root = Dbm.commandLine();
        try {
            root.parseArgs(f.args(value));
        } catch (CommandLine.MissingParameterException e) {
            // other required options of the command: the value was converted and set before this check
        }
        CommandLine cmd = root;
        for (final String p : f.path()) {
            cmd = cmd.getSubcommands().get(p);
        }
        return cmd.getCommandSpec().findOption(f.option()).getValue();
    }

    @Test
    void everyDurationOptionOfEveryCommandReadsTheSameForms() {
        final List<Found> options = durationOptions();
        assertThat(options).extracting(f -> String.join(" ", f.path()) + " " + f.option())
                .contains("migrate --timeout", "migrate --nbd-timeout", "export --timeout", "chaos --timeout",
                        "replay --timeout");
        for (final Found f : options) {
            assertThat(parsed(f, "90s")).as(f.toString()).isEqualTo(Duration.ofSeconds(90));
            assertThat(parsed(f, "2m")).as(f.toString()).isEqualTo(Duration.ofMinutes(2));
            assertThat(parsed(f, "1h")).as(f.toString()).isEqualTo(Duration.ofHours(1));
            assertThat(parsed(f, "500ms")).as(f.toString()).isEqualTo(Duration.ofMillis(500));
            assertThat(parsed(f, "PT10M")).as(f.toString()).isEqualTo(Duration.ofMinutes(10));
        }
    }

    @Test
    void everyDurationOptionRefusesBadAndAbsurdValuesNamingItself() {
        for (final Found f : durationOptions()) {
            for (final String bad : List.of("soon", "10 minutes", "0s", "-PT1M", "99999999999h", "P400D")) {
                assertThatThrownBy(() -> Dbm.commandLine().parseArgs(f.args(bad))).as(f + " " + bad)
                        .isInstanceOf(ParameterException.class)
                        .hasMessageContaining("option '" + f.option() + "'")
                        .hasMessageContaining("'" + bad + "'")
                        .hasMessageContaining("30s, 10m, 2h");
            }
        }
    }

    @Test
    void defaultsAreValidDurations() {
        for (final Found f : durationOptions()) {
            final CommandLine root = Dbm.commandLine();
            CommandLine cmd = root;
            for (final String p : f.path()) {
                cmd = cmd.getSubcommands().get(p);
            }
            final String def = cmd.getCommandSpec().findOption(f.option()).defaultValue();
            if (f.path().equals(List.of("sync")) && f.option().equals("--every")) {
                // the one duration without a default: absent, sync runs its rounds back to back (one by default)
                assertThat(def).as(f.toString()).isNull();
                continue;
            }
            assertThat(def).as(f.toString()).isNotNull();
            assertThat(DurationConverter.parse(def)).as(f.toString()).isPositive();
        }
    }

    @Test
    void theConverterReadsWhatPeopleWrite() {
        assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse(" 10m ")).isEqualTo(Duration.ofMinutes(10));
        assertThat(DurationConverter.parse("2H")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationConverter.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(DurationConverter.parse("pt1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.parse("365d")).isEqualTo(DurationConverter.MAX);
        assertThatThrownBy(() -> DurationConverter.parse("366d")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("longer than");
    }

    @Test
    void anAbsurdTimeoutIsRefusedBeforeAnythingIsPublished() {
        final DbmRun run = DbmRun.of("migrate", "--timeout", "99999999999h",
                InspectCommandTest.testdata().resolve("images/img1.qcow2.gz").toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("dbm migrate: Invalid value for option '--timeout': '99999999999h' is "
                + "longer than the most any option takes (365d)");
        assertThat(run.err().lines()).hasSize(2).last().asString().startsWith("Try 'dbm migrate --help'");
    }

    @Test
    void theReadmesNbdTimeoutIsAccepted() {
        final DbmRun run = DbmRun.of("migrate", "--nbd-timeout", "60s", "--nbd-granularity", "64K",
                "nbd+unix:///disk0?socket=/nonexistent/dbm-test.sock&bitmap=b0");

        // the duration is read; the error is the missing socket's, not the option's
        assertThat(run.err()).doesNotContain("--nbd-timeout").contains("/nonexistent/dbm-test.sock");
        assertThat(run.exit()).isEqualTo(2);
    }
}
