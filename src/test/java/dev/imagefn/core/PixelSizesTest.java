package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PixelSizesTest {
    private static final List<String> RATIOS = List.of("1:1", "1:4", "1:8", "2:3", "3:2", "3:4", "4:1", "4:3", "4:5",
            "5:4", "8:1", "9:16", "16:9", "21:9");
    private static final ModelSpec FLASH = new ModelSpec("flash", RATIOS, List.of("512", "1K", "2K", "4K"), 14,
            List.of(), true, Map.of(), true);
    private static final ModelSpec NO_512 = new ModelSpec("v21", RATIOS, List.of("1K", "2K", "4K"), 14, List.of(),
            true, Map.of(), true);
    private static final ModelSpec SINGLE = new ModelSpec("legacy", List.of("1:1", "16:9"), List.of(), 3, List.of(),
            false, Map.of(), true);

    @Test
    void nearestRatioAndSmallestTierThatHoldsTheLongEdge() {
        assertEquals(new PixelSizes.Choice("16:9", "2K"), PixelSizes.choose(FLASH, 1792, 1024));
        assertEquals(new PixelSizes.Choice("9:16", "2K"), PixelSizes.choose(FLASH, 1024, 1792));
        assertEquals(new PixelSizes.Choice("1:1", "1K"), PixelSizes.choose(FLASH, 1024, 1024));
        assertEquals(new PixelSizes.Choice("1:1", "512"), PixelSizes.choose(FLASH, 256, 256));
        assertEquals(new PixelSizes.Choice("1:1", "1K"), PixelSizes.choose(NO_512, 256, 256));
        assertEquals(new PixelSizes.Choice("21:9", "4K"), PixelSizes.choose(FLASH, 3440, 1440));
        assertEquals(new PixelSizes.Choice("16:9", null), PixelSizes.choose(SINGLE, 1000, 560));
    }

    @Test
    void sizesNoTierHoldsAreRefused() {
        assertThrows(ImageFnException.class, () -> PixelSizes.choose(FLASH, 4097, 100));
        assertThrows(ImageFnException.class, () -> PixelSizes.choose(SINGLE, 2048, 2048));
        assertThrows(ImageFnException.class, () -> PixelSizes.choose(FLASH, 0, 100));
    }
}
