package org.dbmstream.query;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names a PromQL expression reads, and the names a Prometheus text exposition has. */
final class PromQl {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    /** PromQL's keywords and aggregation modifiers: never metric names. */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset", "inf", "nan");

    private PromQl() {
    }

    /** Metric names of the expressions: identifiers that are no function call, keyword, label or duration. */
    static Set<String> metricNames(Collection<String> expressions) {
        Set<String> out = new TreeSet<>();
        for (String expr : expressions) {
            String e = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"") // strings (label values, regexes)
                    .replaceAll("\\{[^}]*}", " ") // label matchers
                    .replaceAll("\\[[^]]*]", " ") // range and subquery durations
                    .replaceAll("(?i)\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
            Matcher m = IDENTIFIER.matcher(e);
            while (m.find()) {
                String name = m.group();
                boolean call = e.substring(m.end()).stripLeading().startsWith("(");
                boolean number = m.start() > 0 && Character.isDigit(e.charAt(m.start() - 1)); // 5m, 1e3
                if (!call && !number && !KEYWORDS.contains(name.toLowerCase()) && !name.startsWith("$")) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    /** The metric names of a Prometheus text exposition (a histogram's {@code _bucket}, {@code _sum}, ...). */
    static Set<String> exposedNames(String text) {
        Set<String> out = new TreeSet<>();
        text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> {
            Matcher m = IDENTIFIER.matcher(l);
            if (m.lookingAt()) {
                out.add(m.group());
            }
        });
        return out;
    }
}
