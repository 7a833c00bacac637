package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelVersionsTest {

    @Test
    void versionSuffixesAndPrefixesNameTheSameModel() {
        assertTrue(ModelVersions.sameModel("gemini-3.1-flash-image", "gemini-3.1-flash-image"));
        assertTrue(ModelVersions.sameModel("gemini-3.1-flash-image", "gemini-3.1-flash-image-001"));
        assertTrue(ModelVersions.sameModel("gemini-2.5-flash-image", "gemini-2.5-flash-image-09-2025"));
        assertTrue(ModelVersions.sameModel("gemini-3.1-flash-image", "models/Gemini-3.1-Flash-Image"));
        assertTrue(ModelVersions.sameModel("gemini-3.1-flash-image", null), "no modelVersion: nothing to compare");
    }

    @Test
    void anotherNameOrAVariantIsAnotherModel() {
        assertFalse(ModelVersions.sameModel("gemini-3.1-flash-image", "gemini-nano-banana-2.1"));
        assertFalse(ModelVersions.sameModel("gemini-3.1-flash-image", "gemini-3.1-flash-image-preview"));
        assertFalse(ModelVersions.sameModel("gemini-3.1-flash-image", "gemini-3.1-flash-image-lite"));
        assertFalse(ModelVersions.sameModel("gemini-3.1-flash-image", "gemini-3.1-flash-image2"));
        assertFalse(ModelVersions.sameModel("gemini-3.1-flash", "gemini-3.1-flash-image"));
    }
}
