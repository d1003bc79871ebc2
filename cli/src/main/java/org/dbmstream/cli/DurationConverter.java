package org.dbmstream.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The one reader of every {@link Duration} option of every command ({@link Dbm#commandLine()} registers it for
 * the type): a duration as people write it ({@code 30s}, {@code 10m}, {@code 2h}, {@code 500ms}, {@code 1d}) or
 * in ISO-8601 ({@code PT10M}). Zero, negative and absurd values (over {@link #MAX}) are refused here, before
 * anything starts: a timeout of zero would mean "wait for ever" to a socket, and one of a million hours
 * overflowed later, after the migration was published.
 */
final class DurationConverter implements ITypeConverter<Duration> {
    /** The longest duration any option takes. */
    static final Duration MAX = Duration.ofDays(365);
    /** The accepted forms, as error messages and help texts name them. */
    static final String FORMS = "a number with ms, s, m, h or d (500ms, 30s, 10m, 2h) or ISO-8601 (PT10M)";
    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    @Override
    public Duration convert(final String value) {
        return parse(value);
    }

    static Duration parse(final String value) {
        final String text = value.trim().toLowerCase(Locale.ROOT);
        final Duration d;
        try {
            final Matcher m = SHORT.matcher(text);
            d = m.matches() ? ofUnit(Long.parseLong(m.group(1)), m.group(2))
                    : Duration.parse(text.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new TypeConversionException(bad(value, "is not a duration"));
        }
        if (d.isNegative() || d.isZero()) {
            throw new TypeConversionException(bad(value, "is not a duration of more than 0"));
        }
        if (d.compareTo(MAX) > 0) {
            throw new TypeConversionException(bad(value, "is longer than the most any option takes (365d)"));
        }
        return d;
    }

    private static Duration ofUnit(final long n, final String unit) {
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static String bad(final String value, final String problem) {
        return "'" + value + "' " + problem + " (use " + FORMS + ")";
    }
}
