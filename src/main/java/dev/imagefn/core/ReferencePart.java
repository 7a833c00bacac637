package dev.imagefn.core;

import java.net.URI;

/**
 * A reference image as it goes to the model: its bytes ({@link ReferenceImage.Inline}), or a short-lived URL the
 * model fetches itself ({@link ByUrl}); README, "Reference images by URL".
 */
public sealed interface ReferencePart permits ReferenceImage.Inline, ReferencePart.ByUrl {

    /**
     * A presigned GET of a stored reference. {@code mimeType} is what its first bytes are; {@code bytes} what the
     * store said of its size. The URL is a credential until it expires: {@link #toString} leaves the query out.
     */
    record ByUrl(String mimeType, URI url, long bytes) implements ReferencePart {
        @Override
        public String toString() {
            return "ByUrl[" + mimeType + ", " + redacted(url) + ", " + bytes + " bytes]";
        }

        /** The URL without its query (where a presigned URL carries its signature). */
        public static String redacted(URI url) {
            String s = url.toString();
            int q = s.indexOf('?');
            return q < 0 ? s : s.substring(0, q) + "?…";
        }
    }
}
