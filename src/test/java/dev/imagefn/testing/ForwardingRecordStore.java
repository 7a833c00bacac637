package dev.imagefn.testing;

import dev.imagefn.core.idempotency.RecordStore;
import java.util.Optional;

/** A {@link RecordStore} that passes every call on; a test overrides the call it makes fail. */
public class ForwardingRecordStore implements RecordStore {
    private final RecordStore store;

    public ForwardingRecordStore(RecordStore store) {
        this.store = store;
    }

    @Override
    public Optional<Document> getDocument(String key) {
        return store.getDocument(key);
    }

    @Override
    public boolean createDocument(String key, byte[] body) {
        return store.createDocument(key, body);
    }

    @Override
    public boolean replaceDocument(String key, byte[] body, String etag) {
        return store.replaceDocument(key, body, etag);
    }

    @Override
    public void deleteDocument(String key, String etag) {
        store.deleteDocument(key, etag);
    }
}
