package dev.imagefn.core;

/** Token counts from Gemini's {@code usageMetadata}. */
public record Usage(long promptTokens, long outputTokens, long imageTokens, long thoughtTokens) {
    public static final Usage NONE = new Usage(0, 0, 0, 0);
}
