package dev.imagefn.core;

import dev.imagefn.config.ImagefnConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * Turns an event's reference images into what goes to the model. A stored one at or above the transport's
 * threshold becomes a presigned URL: its size comes from a HEAD, its type from its first bytes, and the model reads
 * the rest. Any other one is read and checked whole, as an inline reference is.
 */
final class ReferenceLoader {
    private static final Logger LOG = Logger.getLogger(ReferenceLoader.class);
    /** Enough for every magic number {@link ImageFormat#detect} knows. */
    static final int SNIFF_BYTES = 16;

    private final ImageStore store;
    private final ImagefnConfig.Limits limits;
    private final ReferenceTransport transport;

    ReferenceLoader(ImageStore store, ImagefnConfig.Limits limits, ReferenceTransport transport) {
        this.store = store;
        this.limits = limits;
        this.transport = transport;
        LOG.infof(transport.never() ? "stored reference images go to Gemini inline (%2$s)"
                : "stored reference images of %d bytes or more go to Gemini by presigned URL (%s)",
                transport.threshold(), transport.reason());
    }

    List<ReferencePart> load(List<ReferenceImage> references, Deadline deadline) {
        return load(references, (s, where) -> stored(s, where, deadline));
    }

    /** Every stored reference read and checked, whatever the threshold. */
    List<ReferencePart> loadInline(List<ReferenceImage> references) {
        return load(references, this::read);
    }

    /**
     * What goes inline, the event's own images and the stored ones read for it, is at most
     * {@code max-inline-reference-bytes} in all: checked as each is read, so no more than that and one image is held.
     */
    private List<ReferencePart> load(List<ReferenceImage> references,
            BiFunction<ReferenceImage.Stored, String, ReferencePart> stored) {
        List<ReferencePart> out = new ArrayList<>();
        long inline = 0;
        for (int i = 0; i < references.size(); i++) {
            ReferencePart part = switch (references.get(i)) {
                case ReferenceImage.Inline in -> in;
                case ReferenceImage.Stored s -> stored.apply(s, "referenceImages[" + i + "] (" + s.uri() + ")");
            };
            if (part instanceof ReferenceImage.Inline in) {
                inline += in.data().length;
                if (inline > limits.maxInlineReferenceBytes()) {
                    throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "the reference images sent inline come"
                            + " to more than " + limits.maxInlineReferenceBytes() + " bytes in all (by referenceImages["
                            + i + "])");
                }
            }
            out.add(part);
        }
        return out;
    }

    private ReferencePart stored(ReferenceImage.Stored s, String where, Deadline deadline) {
        if (transport.never()) {
            return read(s, where);
        }
        ImageStore.ObjectInfo info = store.headObject(s.bucket(), s.key()).orElseThrow(() ->
                new ImageFnException(ErrorCode.REFERENCE_NOT_FOUND, s.uri() + " does not exist"));
        if (info.size() > limits.maxReferenceBytes()) {
            throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, where + " has " + info.size()
                    + " bytes; the limit is " + limits.maxReferenceBytes());
        }
        if (!transport.byUrl(info.size())) {
            return read(s, where);
        }
        ReferenceImage.Inline head = new ReferenceImage.Inline(null, store.readPrefix(s.bucket(), s.key(),
                SNIFF_BYTES));
        RequestValidator.checkInline(head, where, limits);
        String mimeType = ImageFormat.detect(head.data(), head.data().length).orElseThrow().mimeType();
        URI url = store.presignRead(s.bucket(), s.key(), mimeType, ReferenceTransport.urlTtl(deadline));
        LOG.debugf("%s goes to Gemini by URL: %d bytes, %s", where, info.size(), mimeType);
        return new ReferencePart.ByUrl(mimeType, url, info.size());
    }

    private ReferenceImage.Inline read(ReferenceImage.Stored s, String where) {
        ReferenceImage.Inline loaded = store.read(s.bucket(), s.key(), limits.maxReferenceBytes());
        // The object's Content-Type is often generic (application/octet-stream): the bytes decide.
        ReferenceImage.Inline byBytes = new ReferenceImage.Inline(null, loaded.data());
        RequestValidator.checkInline(byBytes, where, limits);
        return byBytes;
    }
}
