package dev.imagefn.testing;

import dev.imagefn.core.idempotency.RecordStore;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Documents in memory with S3's conditional writes. {@link #racy} makes creates behave like a store that checks
 * the condition and writes in two steps (S3Proxy): two creates that check before either writes both succeed.
 */
public final class InMemoryRecordStore implements RecordStore {
    private final Map<String, Document> documents = new ConcurrentHashMap<>();
    private final AtomicInteger writes = new AtomicInteger();
    private static final Runnable ATOMIC = () -> { };
    private volatile Runnable betweenCheckAndWrite = ATOMIC;

    /** Runs {@code hook} after a create passed its check and before it writes. */
    public InMemoryRecordStore racy(Runnable hook) {
        this.betweenCheckAndWrite = hook;
        return this;
    }

    public int writes() {
        return writes.get();
    }

    public Map<String, Document> documents() {
        return Map.copyOf(documents);
    }

    @Override
    public Optional<Document> getDocument(String key) {
        return Optional.ofNullable(documents.get(key));
    }

    @Override
    public boolean createDocument(String key, byte[] body) {
        if (betweenCheckAndWrite == ATOMIC) {
            return documents.putIfAbsent(key, document(body)) == null && counted();
        }
        if (documents.containsKey(key)) {
            return false;
        }
        betweenCheckAndWrite.run();
        documents.put(key, document(body));
        return counted();
    }

    @Override
    public boolean replaceDocument(String key, byte[] body, String etag) {
        Document current = documents.get(key);
        if (current == null || !current.etag().equals(etag)) {
            return false;
        }
        return documents.replace(key, current, document(body)) && counted();
    }

    @Override
    public void deleteDocument(String key, String etag) {
        documents.computeIfPresent(key, (k, d) -> d.etag().equals(etag) ? null : d);
    }

    private static Document document(byte[] body) {
        return new Document(body.clone(), "\"" + UUID.randomUUID() + "\"");
    }

    private boolean counted() {
        writes.incrementAndGet();
        return true;
    }
}
