package dev.imagefn.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/**
 * Real, decodable images of an exact pixel size, made fast enough for tests: PNGs are built by hand
 * (one flat colour compresses to almost nothing), JPEGs by ImageIO. A {@code padTo} byte size adds a
 * private ancillary chunk (PNG) or comment segments (JPEG) so responses reach realistic sizes.
 */
public final class TestImages {
    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();

    private TestImages() {
    }

    public static byte[] png(int width, int height, int rgb, int padTo) {
        return CACHE.computeIfAbsent("png" + width + "x" + height + "/" + rgb + "/" + padTo,
                k -> buildPng(width, height, rgb, padTo));
    }

    public static byte[] jpeg(int width, int height, int rgb, int padTo) {
        return CACHE.computeIfAbsent("jpg" + width + "x" + height + "/" + rgb + "/" + padTo,
                k -> pad(buildJpeg(width, height, rgb), padTo));
    }

    private static byte[] buildPng(int width, int height, int rgb, int padTo) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        byte[] row = new byte[1 + width * 3];
        for (int x = 0; x < width; x++) {
            row[1 + 3 * x] = (byte) (rgb >> 16);
            row[2 + 3 * x] = (byte) (rgb >> 8);
            row[3 + 3 * x] = (byte) rgb;
        }
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        for (int y = 0; y < height; y++) {
            deflater.setInput(row);
            while (!deflater.needsInput()) {
                idat.write(buf, 0, deflater.deflate(buf));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(buf, 0, deflater.deflate(buf));
        }
        deflater.end();
        int current = out.size() + 12 + idat.size() + 12;
        if (padTo > current + 12) {
            byte[] noise = new byte[padTo - current - 12];
            new Random(rgb).nextBytes(noise);
            chunk(out, "prVt", noise);
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] buildJpeg(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(rgb));
        g.fillRect(0, 0, width, height);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "jpg", out)) {
                throw new IllegalStateException("no JPEG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Inserts COM segments after SOI (each at most 65533 bytes of payload). */
    private static byte[] pad(byte[] jpeg, int padTo) {
        if (padTo <= jpeg.length) {
            return jpeg;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(padTo + 8);
        out.write(jpeg, 0, 2);
        int missing = padTo - jpeg.length;
        Random random = new Random(padTo);
        while (missing > 4) {
            int payload = Math.min(65533, missing - 4);
            byte[] segment = new byte[payload];
            random.nextBytes(segment);
            for (int i = 0; i < payload; i++) {
                if (segment[i] == (byte) 0xff) {
                    segment[i] = 0x7f;
                }
            }
            out.write(0xff);
            out.write(0xfe);
            out.write((payload + 2) >> 8);
            out.write((payload + 2) & 0xff);
            out.writeBytes(segment);
            missing -= payload + 4;
        }
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** Pixel size for a ratio and size, as the model card lists them. */
    public static int[] dimensions(String model, String ratio, String size) {
        if (model.startsWith("gemini-2.5")) {
            return switch (ratio == null ? "1:1" : ratio) {
                case "2:3" -> new int[] {832, 1248};
                case "3:2" -> new int[] {1248, 832};
                case "3:4" -> new int[] {864, 1184};
                case "4:3" -> new int[] {1184, 864};
                case "4:5" -> new int[] {896, 1152};
                case "5:4" -> new int[] {1152, 896};
                case "9:16" -> new int[] {768, 1344};
                case "16:9" -> new int[] {1344, 768};
                case "21:9" -> new int[] {1536, 672};
                default -> new int[] {1024, 1024};
            };
        }
        int[] k1 = switch (ratio == null ? "1:1" : ratio) {
            case "1:4" -> new int[] {512, 2048};
            case "1:8" -> new int[] {384, 3072};
            case "2:3" -> new int[] {848, 1264};
            case "3:2" -> new int[] {1264, 848};
            case "3:4" -> new int[] {896, 1200};
            case "4:1" -> new int[] {2048, 512};
            case "4:3" -> new int[] {1200, 896};
            case "4:5" -> new int[] {928, 1152};
            case "5:4" -> new int[] {1152, 928};
            case "8:1" -> new int[] {3072, 384};
            case "9:16" -> new int[] {768, 1376};
            case "16:9" -> new int[] {1376, 768};
            case "21:9" -> new int[] {1584, 672};
            default -> new int[] {1024, 1024};
        };
        return switch (size == null ? "1K" : size) {
            case "512" -> half(k1, ratio);
            case "2K" -> new int[] {k1[0] * 2, k1[1] * 2};
            case "4K" -> new int[] {k1[0] * 4, k1[1] * 4};
            default -> k1;
        };
    }

    private static int[] half(int[] k1, String ratio) {
        return switch (ratio == null ? "1:1" : ratio) {
            case "2:3" -> new int[] {424, 632};
            case "3:2" -> new int[] {632, 424};
            case "3:4" -> new int[] {448, 600};
            case "4:3" -> new int[] {600, 448};
            case "4:5" -> new int[] {464, 576};
            case "5:4" -> new int[] {576, 464};
            case "1:8" -> new int[] {192, 1536};
            case "8:1" -> new int[] {1536, 192};
            case "9:16" -> new int[] {384, 688};
            case "16:9" -> new int[] {688, 384};
            case "21:9" -> new int[] {792, 168};
            default -> new int[] {k1[0] / 2, k1[1] / 2};
        };
    }
}
