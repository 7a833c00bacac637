package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.testing.TestConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {

    private static RequestValidator validator(Map<String, String> config) {
        ImagefnConfig c = TestConfig.of(config);
        return new RequestValidator(new ModelCatalogue(c), c);
    }

    private static ImageRequest withKey(String key, String idempotencyKey, Map<String, String> metadata) {
        return new ImageRequest("p", null, null, null, List.of(), false, null, false, null, key, idempotencyKey,
                metadata, false);
    }

    private static void refused(RequestValidator v, ImageRequest r) {
        ImageFnException e = assertThrows(ImageFnException.class, () -> v.validate(r, "req"),
                () -> "should refuse " + r);
        assertEquals(ErrorCode.INVALID_REQUEST, e.code(), e.detail());
    }

    @Test
    void keysUnderThePipelinesPrefixesAreRefusedWhenTheyWouldLandThere() {
        RequestValidator v = validator(Map.of("storage.prefix", ""));
        for (String key : new String[] {"jobs/x.json", "uploads/x.png", "failures/x.json", ".idempotency/x"}) {
            refused(v, withKey(key, null, Map.of()));
        }
        assertEquals("jobsx/a.png", v.validate(withKey("jobsx/a.png", null, Map.of()), "req").explicitKey());
        RequestValidator custom = validator(Map.of("storage.prefix", "", "pipeline.jobs-prefix", "in/queue/"));
        refused(custom, withKey("in/queue/a.json", null, Map.of()));
        assertEquals("jobs/a.png", custom.validate(withKey("jobs/a.png", null, Map.of()), "req").explicitKey());
    }

    @Test
    void reservedAreasAreRelativeToThePrefix() {
        RequestValidator v = validator(Map.of());
        refused(v, withKey("failures/x.json", null, Map.of()));
        refused(v, withKey(".idempotency/x.json", null, Map.of()));
        assertEquals("generated/a/failures/x.png",
                v.validate(withKey("a/failures/x.png", null, Map.of()), "req").explicitKey());
    }

    @Test
    void keyAndIdempotencyKeyTextIsChecked() {
        RequestValidator v = validator(Map.of());
        for (String bad : new String[] {"\ud800", "x\udc00", "\u0085", "\u009f", "\u061c", "\u200e", "\u200f",
                "\u202a", "\u202e", "\u2066", "\u2069", "\u0000", "\u007f"}) {
            refused(v, withKey("a" + bad + ".png", null, Map.of()));
            refused(v, withKey(null, "i" + bad, Map.of()));
        }
        ImageJob ok = v.validate(withKey("caf\u00e9/\ud83d\uddbc.png", "caf\u00e9 \ud83d\uddbc", Map.of()), "req");
        assertEquals("generated/caf\u00e9/\ud83d\uddbc.png", ok.explicitKey());
    }

    /** Many tiny entries are within the bytes limit but not S3's 8 KB of request headers: refused before paying. */
    @Test
    void tooManyMetadataEntriesAreRefused() {
        RequestValidator v = validator(Map.of());
        Map<String, String> many = new java.util.HashMap<>();
        for (int i = 0; i < RequestValidator.MAX_METADATA_ENTRIES; i++) {
            many.put("m" + i, "v");
        }
        assertEquals(RequestValidator.MAX_METADATA_ENTRIES, v.validate(withKey(null, null, many), "req").metadata().size());
        many.put("one-more", "v");
        ImageFnException e = assertThrows(ImageFnException.class, () -> v.validate(withKey(null, null, many), "req"));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
    }

    @Test
    void everyMetadataNameTheFunctionWritesIsReserved() {
        RequestValidator v = validator(Map.of());
        for (String name : List.of("model", "model-version", "prompt-sha256", "request-id", "sha256", "width", "height",
                "images", "idempotency-key-sha256", "request-sha256", "source-key", "source-bucket")) {
            refused(v, withKey(null, null, Map.of(name, "1")));
        }
        assertEquals(Map.of("campaign", "autumn"),
                v.validate(withKey(null, null, Map.of("Campaign", "autumn")), "req").metadata());
    }

    @Test
    void provenanceIsTheFunctionsOwnAndIsKept() {
        RequestValidator v = validator(Map.of());
        ImageRequest upload = new ImageRequest("p", null, null, null, List.of(), false, null, false, null, null, null,
                Map.of(), false, Map.of(StoredMetadata.SOURCE_KEY, "uploads/a.png", StoredMetadata.SOURCE_BUCKET, "in"));
        assertEquals(Map.of("source-key", "uploads/a.png", "source-bucket", "in"), v.validate(upload, "req").metadata());
    }
}
