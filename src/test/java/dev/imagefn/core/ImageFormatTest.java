package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.TestImages;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageFormatTest {

    @Test
    void detectsByMagicNumberAndReadsDimensions() {
        byte[] png = TestImages.png(632, 424, 1, 0);
        assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.detect(png, png.length));
        assertArrayEquals(new int[] {632, 424}, ImageFormat.PNG.dimensions(png, png.length));
        byte[] jpeg = TestImages.jpeg(688, 384, 2, 300_000);
        assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.detect(jpeg, jpeg.length));
        assertArrayEquals(new int[] {688, 384}, ImageFormat.JPEG.dimensions(jpeg, jpeg.length),
                "the frame header after 300 kB of comment segments");
        byte[] gif = {'G', 'I', 'F', '8', '9', 'a', 10, 0, 20, 0, 0, 0};
        assertArrayEquals(new int[] {10, 20}, ImageFormat.GIF.dimensions(gif, gif.length));
    }

    @Test
    void rejectsWhatIsNotAnImage() {
        byte[] text = "hello world, not an image".getBytes();
        assertTrue(ImageFormat.detect(text, text.length).isEmpty());
        assertTrue(ImageFormat.detect(new byte[0], 0).isEmpty());
    }

    @Test
    void mimeTypesMapToFormats() {
        assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.ofMimeType("image/jpg"));
        assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.ofMimeType(" IMAGE/PNG; charset=binary"));
        assertTrue(ImageFormat.ofMimeType("text/plain").isEmpty());
    }

    @Test
    void imageBytesRoundTripAcrossBlocks() {
        byte[] data = new byte[3 * ImageBytes.BLOCK + 17];
        new java.util.Random(1).nextBytes(data);
        ImageBytes bytes = ImageBytes.of(data);
        assertEquals(data.length, bytes.length());
        assertArrayEquals(data, bytes.toArray());
        assertEquals(data[ImageBytes.BLOCK + 5] & 0xff, bytes.at(ImageBytes.BLOCK + 5));
        assertEquals(java.util.HexFormat.of().formatHex(Hashes.sha256(data, data.length)), bytes.sha256Hex());
    }
}
