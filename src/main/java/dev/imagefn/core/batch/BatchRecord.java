package dev.imagefn.core.batch;

import java.util.List;

/** A submitted batch as the store keeps it: Gemini's name, its model, which attempt it is, and its entries. */
public record BatchRecord(String name, String model, int attempt, List<String> entries, long submittedAtMillis) {
    public BatchRecord {
        entries = List.copyOf(entries);
    }
}
