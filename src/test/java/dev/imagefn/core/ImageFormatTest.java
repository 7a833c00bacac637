package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    private static byte[] box(String type, byte[] body) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + body.length).putInt(8 + body.length);
        return b.put(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put(body).array();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static ImageFormat.Bytes at(byte[] b) {
        return i -> b[(int) i] & 0xff;
    }

    /** Only whole images end: a cut one (a body that broke off, a mangled answer) does not. */
    @Test
    void aCutGifWebpOrHeifDoesNotEnd() {
        byte[] gif = concat(new byte[] {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0}, new byte[20],
                new byte[] {0x3b});
        assertTrue(ImageFormat.GIF.ends(at(gif), gif.length));
        assertFalse(ImageFormat.GIF.ends(at(gif), gif.length - 1), "no trailer");
        byte[] padded = concat(gif, new byte[] {0, '\n'});
        assertTrue(ImageFormat.GIF.ends(at(padded), padded.length), "padding after the trailer");
        byte[] cut = concat(java.util.Arrays.copyOf(gif, gif.length - 1), new byte[] {7});
        assertFalse(ImageFormat.GIF.ends(at(cut), cut.length));

        byte[] vp8l = box("VP8L", new byte[] {0x2f, 0, 0, 0, 0, 0, 0, 0});
        byte[] webp = java.nio.ByteBuffer.allocate(12 + vp8l.length).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .put("RIFF".getBytes()).putInt(4 + vp8l.length).put("WEBP".getBytes()).put(vp8l).array();
        assertTrue(ImageFormat.WEBP.ends(at(webp), webp.length));
        assertFalse(ImageFormat.WEBP.ends(at(webp), webp.length - 1), "shorter than its RIFF size");
        byte[] zero = webp.clone();
        java.util.Arrays.fill(zero, 4, 8, (byte) 0);
        assertFalse(ImageFormat.WEBP.ends(at(zero), zero.length), "a RIFF size of 0 says nothing");

        byte[] ftyp = box("ftyp", concat("heic".getBytes(), new byte[4], "mif1heic".getBytes()));
        byte[] heic = concat(ftyp, box("meta", new byte[4]), box("mdat", new byte[100]));
        assertEquals(Optional.of(ImageFormat.HEIC), ImageFormat.detect(heic, heic.length));
        assertTrue(ImageFormat.HEIC.ends(at(heic), heic.length));
        assertFalse(ImageFormat.HEIC.ends(at(heic), heic.length - 1), "the mdat box is cut");
        assertFalse(ImageFormat.HEIC.ends(at(heic), ftyp.length + 3), "a box header is cut");
        byte[] noMeta = concat(ftyp, box("mdat", new byte[100]));
        assertFalse(ImageFormat.HEIF.ends(at(noMeta), noMeta.length), "no meta box: nothing says what it holds");
        byte[] sequence = concat(box("ftyp", concat("msf1".getBytes(), new byte[4], "msf1".getBytes())),
                box("moov", new byte[16]), box("mdat", new byte[100]));
        assertEquals(Optional.of(ImageFormat.HEIF), ImageFormat.detect(sequence, sequence.length));
        assertTrue(ImageFormat.HEIF.ends(at(sequence), sequence.length), "an image sequence has moov, not meta");
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
