package dev.imagefn.http;

/** An incoming CloudEvent 1.0, reduced to what imagefn reads. {@code data} is the raw JSON of the event. */
public record CloudEvent(String id, String source, String type, String subject, String dataContentType, byte[] data) {
    public static final String SPEC_VERSION = "1.0";
}
