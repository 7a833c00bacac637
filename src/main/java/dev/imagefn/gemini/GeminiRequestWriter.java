package dev.imagefn.gemini;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.imagefn.core.GenerationRequest;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.core.ReferenceImage;
import dev.imagefn.core.ReferencePart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Writes a {@code generateContent} body: {@code generationConfig.imageConfig},
 * never {@code responseFormat}; reference images after the prompt text, as {@code inlineData} or, when they go by
 * presigned URL, {@code fileData}.
 */
final class GeminiRequestWriter {
    private static final JsonFactory JSON = new JsonFactory();

    private GeminiRequestWriter() {
    }

    static byte[] write(GenerationRequest r) {
        long refBytes = r.references().stream().mapToLong(p -> p instanceof ReferenceImage.Inline in
                ? in.data().length : 0).sum();
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8,
                1024 + r.prompt().length() * 2L + refBytes * 4 / 3 + 64L * r.references().size()));
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("contents");
            g.writeStartObject();
            g.writeStringField("role", "user");
            g.writeArrayFieldStart("parts");
            g.writeStartObject();
            g.writeStringField("text", r.prompt());
            g.writeEndObject();
            for (ReferencePart part : r.references()) {
                g.writeStartObject();
                switch (part) {
                    case ReferenceImage.Inline ref -> {
                        g.writeObjectFieldStart("inlineData");
                        g.writeStringField("mimeType", mimeType(ref));
                        g.writeFieldName("data");
                        g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, ref.data(), 0, ref.data().length);
                    }
                    case ReferencePart.ByUrl url -> {
                        g.writeObjectFieldStart("fileData");
                        g.writeStringField("mimeType", url.mimeType());
                        g.writeStringField("fileUri", url.url().toString());
                    }
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();

            if (r.grounding()) {
                g.writeArrayFieldStart("tools");
                g.writeStartObject();
                g.writeObjectFieldStart("googleSearch");
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndArray();
            }

            g.writeObjectFieldStart("generationConfig");
            g.writeArrayFieldStart("responseModalities");
            if (r.includeText()) {
                g.writeString("TEXT");
            }
            g.writeString("IMAGE");
            g.writeEndArray();
            if (r.aspectRatio() != null || r.imageSize() != null) {
                g.writeObjectFieldStart("imageConfig");
                if (r.aspectRatio() != null) {
                    g.writeStringField("aspectRatio", r.aspectRatio());
                }
                if (r.imageSize() != null) {
                    g.writeStringField("imageSize", r.imageSize());
                }
                g.writeEndObject();
            }
            if (r.thinkingLevel() != null) {
                g.writeObjectFieldStart("thinkingConfig");
                g.writeStringField("thinkingLevel", r.thinkingLevel().toUpperCase(Locale.ROOT));
                g.writeEndObject();
            }
            if (r.seed() != null) {
                g.writeNumberField("seed", r.seed());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The type the bytes really are, so a mislabelled upload is not rejected by the model. */
    private static String mimeType(ReferenceImage.Inline ref) {
        return ImageFormat.detect(ref.data(), ref.data().length).map(ImageFormat::mimeType)
                .orElse(ref.mimeType() == null ? "image/png" : ref.mimeType());
    }
}
