package org.dbmstream.topology;

import java.util.List;
import org.dbmstream.schemas.Event;

/** Picks events of one body type out of the events topic. */
final class EventsView {
    private EventsView() {
    }

    static <T> List<T> bodies(List<Event> events, Class<T> type) {
        return events.stream().map(Event::getBody).filter(type::isInstance).map(type::cast).toList();
    }

    static List<Event> of(List<Event> events, Class<?> type) {
        return events.stream().filter(e -> type.isInstance(e.getBody())).toList();
    }

    static List<String> types(List<Event> events) {
        return events.stream().map(e -> e.getBody().getClass().getSimpleName()).toList();
    }
}
