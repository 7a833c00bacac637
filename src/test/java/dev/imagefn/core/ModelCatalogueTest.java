package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelCatalogueTest {

    @Test
    void pricesAreParsedExactly() {
        Map<String, BigDecimal> prices = ModelCatalogue.prices("m", Map.of("1K", " 0.067 ", "4K", "0.151"));
        assertEquals(new BigDecimal("0.067"), prices.get("1K"));
        assertEquals(new BigDecimal("0.151"), prices.get("4K"));
    }

    @Test
    void aBadPriceNamesItsSetting() {
        var e = assertThrows(IllegalStateException.class, () -> ModelCatalogue.prices("gemini-x", Map.of("2K", "0,1")));
        assertTrue(e.getMessage().contains("imagefn.pricing.\"gemini-x\".\"2K\""), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ModelCatalogue.prices("m", Map.of("1K", "-1")));
    }
}
