package org.dbmstream.topology.processor;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.dbmstream.schemas.BitmapCompleted;
import org.dbmstream.schemas.Event;
import org.dbmstream.topology.EventObserver;

/**
 * Counts what the destination does as Kafka Streams sensors (group {@code stream-dbm-metrics}), so that
 * they are reported with Kafka Streams' own metrics (JMX, {@code KafkaStreams#metrics()}, Micrometer's
 * binder) rather than kept apart: chunks loaded, and events by kind, with the time from a COMPLETE
 * chunk's record timestamp to its BitmapCompleted event ({@code complete-to-event-latency-avg/max}).
 * Records pass through unchanged.
 */
public final class MetricsTap<V> implements FixedKeyProcessor<String, V, V> {
    /** Scope of the sensors: metric group {@code stream-dbm-metrics}. */
    public static final String SCOPE = "dbm";
    private static final String ENTITY = "destination";
    private static final String LATENCY = "complete-to-event";

    private final String fixedOperation;
    private final Map<String, Sensor> sensors = new HashMap<>();
    private FixedKeyProcessorContext<String, V> context;

    private MetricsTap(String fixedOperation) {
        this(fixedOperation, EventObserver.NONE);
    }

    private MetricsTap(String fixedOperation, EventObserver observer) {
        this.fixedOperation = fixedOperation;
        this.observer = observer;
    }

    /** Counts every record as one chunk loaded ({@code chunks-loaded-total}, {@code chunks-loaded-rate}). */
    public static <V> MetricsTap<V> chunks() {
        return new MetricsTap<>("chunks-loaded");
    }

    private final EventObserver observer;

    /** Counts events by kind ({@code bitmaps-completed-total}, {@code migrations-failed-total}, ...). */
    public static MetricsTap<Event> events() {
        return events(EventObserver.NONE);
    }

    /** As {@link #events()}, and hands every event to {@code observer}. */
    public static MetricsTap<Event> events(EventObserver observer) {
        return new MetricsTap<>(null, observer);
    }

    @Override
    public void init(FixedKeyProcessorContext<String, V> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        String operation = fixedOperation != null ? fixedOperation : operation(record.value());
        if (operation != null) {
            sensor(operation, false).record(1.0, context.currentSystemTimeMs());
        }
        if (record.value() instanceof Event e) {
            observer.observe(e);
        }
        if (record.value() instanceof Event e && e.getBody() instanceof BitmapCompleted && record.timestamp() > 0) {
            long now = context.currentSystemTimeMs();
            sensor(LATENCY, true).record(Math.max(0, now - record.timestamp()), now);
        }
        context.forward(record);
    }

    private Sensor sensor(String operation, boolean latency) {
        return sensors.computeIfAbsent(operation, op -> latency
                ? context.metrics().addLatencyRateTotalSensor(SCOPE, ENTITY, op, Sensor.RecordingLevel.INFO)
                : context.metrics().addRateTotalSensor(SCOPE, ENTITY, op, Sensor.RecordingLevel.INFO));
    }

    /** {@code BitmapCompleted} -> {@code bitmaps-completed}, {@code MigrationFailed} -> {@code migrations-failed}. */
    private static String operation(Object value) {
        if (!(value instanceof Event e) || e.getBody() == null) {
            return null;
        }
        String kind = e.getBody().getClass().getSimpleName();
        for (String subject : new String[] {"Bitmap", "Migration"}) {
            if (kind.startsWith(subject) && kind.length() > subject.length()) {
                return subject.toLowerCase() + "s-" + kind.substring(subject.length()).toLowerCase();
            }
        }
        return null;
    }
}
