package dev.imagefn.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The demo's drawn stand-in images: the requested pixel size, the request visible, cached, and opt-in only. */
class DrawnImagesTest {
    private static final String MODEL = "gemini-3.1-flash-image";

    static {
        System.setProperty("java.awt.headless", "true");
    }

    @ParameterizedTest
    @CsvSource({"16:9,1K,1376,768", "9:16,512,384,688", "8:1,1K,3072,384", "1:1,2K,2048,2048", "21:9,512,792,168"})
    void pngHasThePixelSizeOfTheRequestedRatioAndSize(String ratio, String size, int w, int h) throws Exception {
        BufferedImage image = decode(DrawnImages.draw("png", MODEL, "A watercolor lighthouse at dusk", ratio, size, 0));
        assertEquals(w, image.getWidth());
        assertEquals(h, image.getHeight());
    }

    @Test
    void theImageShowsTheRequestNotAFlatColour() throws Exception {
        BufferedImage a = decode(DrawnImages.draw("png", MODEL, "A red fox in snow", "4:3", "1K", 0));
        BufferedImage b = decode(DrawnImages.draw("png", MODEL, "A red fox in snow, at night", "4:3", "1K", 0));
        assertTrue(colours(a) > 200, "text and gradient, not one colour: " + colours(a));
        // The same size and almost the same prompt: the words drawn differ, so do the pixels in the middle band.
        int differing = 0;
        for (int y = a.getHeight() / 3; y < 2 * a.getHeight() / 3; y += 2) {
            for (int x = 0; x < a.getWidth(); x += 2) {
                differing += (a.getRGB(x, y) & 0xffffff) != (b.getRGB(x, y) & 0xffffff) ? 1 : 0;
            }
        }
        assertTrue(differing > 1000, "the prompt's words are drawn: " + differing);
    }

    @Test
    void jpegOnRequestAndCachedPerRequest() throws Exception {
        byte[] jpeg = DrawnImages.draw("jpg", MODEL, "a jpeg", "1:1", "1K", 0);
        assertEquals(0xff, jpeg[0] & 0xff);
        assertEquals(0xd8, jpeg[1] & 0xff);
        assertEquals(1024, decode(jpeg).getWidth());
        assertSame(jpeg, DrawnImages.draw("jpg", MODEL, "a jpeg", "1:1", "1K", 0));
        assertFalse(Arrays.equals(jpeg, DrawnImages.draw("jpg", MODEL, "a jpeg", "1:1", "1K", 1)));
    }

    @Test
    void withoutFontsTheTextIsStillDrawn() {
        BufferedImage withFonts = DrawnImages.render(1200, 896, MODEL, "A red fox in snow", "4:3", "1K", 0, true);
        BufferedImage without = DrawnImages.render(1200, 896, MODEL, "A red fox in snow", "4:3", "1K", 0, false);
        // Label (amber), prompt (white) and dimensions (grey) are drawn either way, by Java2D fonts or bitmap.
        for (BufferedImage image : List.of(withFonts, without)) {
            assertTrue(count(image, 0xffd250) > 500, "label pixels: " + count(image, 0xffd250));
            assertTrue(count(image, 0xffffff) > 5000, "prompt pixels: " + count(image, 0xffffff));
            assertTrue(count(image, 0xe6e6e6) > 200, "dimension pixels: " + count(image, 0xe6e6e6));
        }
    }

    @Test
    void bitmapTextWrapsToColumns() {
        assertEquals(List.of("a red", "fox", "abcde", "fgh"), BitmapText.wrap("a red fox abcdefgh", 5));
    }

    @Test
    void longWordsAndLongPromptsWrapInsideTheWidth() {
        var fm = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics()
                .getFontMetrics(new java.awt.Font(java.awt.Font.SERIF, java.awt.Font.BOLD, 40));
        List<String> lines = DrawnImages.wrap("a " + "x".repeat(200) + " tail words here", fm, 300);
        assertTrue(lines.size() > 3, lines.toString());
        lines.forEach(l -> assertTrue(fm.stringWidth(l) <= 300, l));
        assertEquals("a" + "x".repeat(200) + "tailwordshere", String.join("", lines).replace(" ", ""));
    }

    @Test
    void onlyADrawnReplyDrawsTheDefaultStaysTheFlatTestImage() throws Exception {
        var request = new ObjectMapper().readTree("{\"contents\":[{\"parts\":[{\"text\":\"a fox\"}]}],"
                + "\"generationConfig\":{\"imageConfig\":{\"aspectRatio\":\"16:9\",\"imageSize\":\"1K\"}}}");
        byte[] flat = GeminiStandIn.imagesFor(MODEL, request, Reply.image()).get(0);
        assertSame(TestImages.png(1376, 768, "a fox".hashCode() & 0xffffff, 0), flat);
        byte[] drawn = GeminiStandIn.imagesFor(MODEL, request, Reply.image().drawn()).get(0);
        assertSame(DrawnImages.draw("png", MODEL, "a fox", "16:9", "1K", 0), drawn);
        assertEquals(1376, decode(drawn).getWidth());
    }

    private static BufferedImage decode(byte[] bytes) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertTrue(image != null, "decodable");
        return image;
    }

    private static int count(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                n += (image.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
            }
        }
        return n;
    }

    private static int colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
