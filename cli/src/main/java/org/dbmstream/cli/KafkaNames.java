package org.dbmstream.cli;

import org.dbmstream.serdes.Topics;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for names Kafka has rules for, so a bad one is a bad argument (exit 2) before a broker
 * is contacted, not a Kafka error after a destination started.
 */
public final class KafkaNames {
    /** Kafka Streams names its internal topics {@code <application id>-<name>}: room is left for the name. */
    static final int MAX_APPLICATION_ID = 180;

    private KafkaNames() {
    }

    /** {@code --topic-prefix}, {@code --replay-prefix}: Kafka's topic name rules. */
    public static final class TopicPrefix implements ITypeConverter<String> {
        @Override
        public String convert(final String value) {
            Topics.prefixProblem(value).ifPresent(p -> {
                throw new TypeConversionException(p);
            });
            return value;
        }
    }

    /**
     * {@code --application-id}: the consumer group, the transactional ids and the prefix of every internal
     * topic of a Kafka Streams application, so Kafka's topic name rules and not empty.
     */
    public static final class ApplicationId implements ITypeConverter<String> {
        @Override
        public String convert(final String value) {
            if (value.isEmpty()) {
                throw new TypeConversionException("an application id must not be empty");
            }
            Topics.prefixProblem(value).ifPresent(p -> {
                throw new TypeConversionException(p);
            });
            if (value.length() > MAX_APPLICATION_ID) {
                throw new TypeConversionException("'" + value.substring(0, 40) + "...' has " + value.length()
                        + " characters; an application id has at most " + MAX_APPLICATION_ID
                        + " (Kafka Streams names its internal topics after it)");
            }
            return value;
        }
    }
}
