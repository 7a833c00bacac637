package dev.imagefn.json;

import java.util.List;

/** The fields the event reader takes, for tests outside this package. */
public final class EventJsonFields {
    private EventJsonFields() {
    }

    public static List<String> names() {
        return EventJson.FIELDS;
    }
}
