package dev.imagefn.core.idempotency;

import java.util.Optional;

/**
 * Where idempotency records live: small documents with conditional writes, as S3 and its look-alikes offer them.
 * Failures of the store itself are the implementation's to report (they abort the job).
 */
public interface RecordStore {

    /** The document and the store's ETag of it. */
    Optional<Document> getDocument(String key);

    /** Writes the document unless one exists ({@code If-None-Match: *}); false when the store refused. */
    boolean createDocument(String key, byte[] body);

    /** Replaces the document only while its ETag is {@code etag} ({@code If-Match}); false when the store refused. */
    boolean replaceDocument(String key, byte[] body, String etag);

    /** Removes the document while its ETag is {@code etag}; a missing or replaced one is left alone. */
    void deleteDocument(String key, String etag);

    record Document(byte[] body, String etag) {
    }
}
