package dev.imagefn.testing;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Images a person recognises as their request: the prompt's words, the model, aspect ratio, size and pixel
 * dimensions drawn on a card of exactly that pixel size, labelled as a stand-in. For {@code make demo}/{@code make
 * run}; tests that compare bytes use {@link TestImages}. Headless Java2D; when no font can be used (a machine
 * without fonts) the text is drawn with {@link BitmapText}. Cached per request: a 4K PNG takes seconds to encode.
 */
public final class DrawnImages {
    public static final String LABEL = "imagefn stand-in \u2014 not a Gemini image";
    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();

    private DrawnImages() {
    }

    /** {@code format} is {@code png} or {@code jpg}; {@code index} tells several images of one answer apart. */
    public static byte[] draw(String format, String model, String prompt, String ratio, String size, int index) {
        int[] wh = TestImages.dimensions(model, ratio, size);
        String key = String.join("\u0000", format, model, prompt, String.valueOf(ratio), String.valueOf(size),
                Integer.toString(index));
        return CACHE.computeIfAbsent(key,
                k -> encode(render(wh[0], wh[1], model, prompt, ratio, size, index, true), format));
    }

    /** {@code fonts} false draws as on a machine without fonts. */
    static BufferedImage render(int w, int h, String model, String prompt, String ratio, String size, int index,
            boolean fonts) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            float hue = ((prompt.hashCode() & 0xffff) / 65535f + index * 0.17f) % 1f;
            g.setPaint(new GradientPaint(0, 0, Color.getHSBColor(hue, 0.45f, 0.35f), w, h,
                    Color.getHSBColor((hue + 0.1f) % 1f, 0.55f, 0.15f)));
            g.fillRect(0, 0, w, h);
            int unit = Math.max(2, Math.min(w, h) / 48);
            g.setColor(new Color(255, 255, 255, 90));
            g.setStroke(new BasicStroke(unit / 2f));
            g.drawRect(unit, unit, w - 2 * unit, h - 2 * unit);
            g.drawLine(unit, unit, w - unit, h - unit);
            g.drawLine(unit, h - unit, w - unit, unit);
            String dims = "%s | aspect ratio %s | size %s | %d x %d px".formatted(model,
                    ratio == null ? "1:1 (default)" : ratio, size == null ? "1K (default)" : size, w, h)
                    + (index > 0 ? " | image " + (index + 1) : "");
            boolean drawn = false;
            if (fonts) {
                try {
                    text(g, w, h, unit, prompt, dims.replace(" | ", " \u00b7 ").replace(" x ", " \u00d7 "));
                    drawn = true;
                } catch (Throwable noFonts) {
                    // Java2D throws an Error when fontconfig finds no font at all.
                    warnOnce(noFonts);
                }
            }
            if (!drawn) {
                bitmapText(g, w, h, unit, prompt, dims);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void text(Graphics2D g, int w, int h, int unit, String prompt, String dims) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        int margin = 3 * unit;
        int small = Math.max(9, Math.min(h / 16, w / 40));
        Font label = new Font(Font.SANS_SERIF, Font.BOLD, small);
        Font info = new Font(Font.SANS_SERIF, Font.PLAIN, small);
        g.setColor(new Color(255, 210, 80));
        g.setFont(fit(g, label, LABEL, w - 2 * margin));
        g.drawString(LABEL, margin, margin + g.getFontMetrics().getAscent());
        g.setColor(new Color(230, 230, 230));
        g.setFont(fit(g, info, dims, w - 2 * margin));
        g.drawString(dims, margin, h - margin - g.getFontMetrics().getDescent());

        int top = margin + 2 * small;
        int bottom = h - margin - 2 * small;
        int boxW = w - 2 * margin;
        int boxH = bottom - top;
        String words = prompt.isBlank() ? "(empty prompt)" : prompt.strip();
        for (int px = Math.max(10, Math.min(h / 7, w / 10)); px >= 8; px = px * 9 / 10) {
            g.setFont(new Font(Font.SERIF, Font.BOLD, px));
            FontMetrics fm = g.getFontMetrics();
            List<String> lines = wrap(words, fm, boxW);
            int lineH = fm.getHeight();
            if (lines.size() * lineH <= boxH || px * 9 / 10 < 8) {
                int maxLines = Math.max(1, boxH / lineH);
                if (lines.size() > maxLines) {
                    lines = new ArrayList<>(lines.subList(0, maxLines));
                    lines.set(maxLines - 1, lines.get(maxLines - 1) + " \u2026");
                }
                g.setColor(Color.WHITE);
                int y = top + (boxH - lines.size() * lineH) / 2 + fm.getAscent();
                for (String line : lines) {
                    g.drawString(line, margin + (boxW - fm.stringWidth(line)) / 2, y);
                    y += lineH;
                }
                return;
            }
        }
    }

    private static void bitmapText(Graphics2D g, int w, int h, int unit, String prompt, String dims) {
        int margin = 3 * unit;
        int boxW = w - 2 * margin;
        String label = "imagefn stand-in - not a Gemini image";
        int small = Math.max(1, Math.min(h / (BitmapText.CELL_H * 14), boxW / (BitmapText.CELL_W * dims.length())));
        g.setColor(new Color(255, 210, 80));
        BitmapText.draw(g, label, margin, margin, small);
        g.setColor(new Color(230, 230, 230));
        BitmapText.draw(g, dims, margin, h - margin - BitmapText.CELL_H * small, small);
        int top = margin + 2 * BitmapText.CELL_H * small;
        int boxH = h - margin - 2 * BitmapText.CELL_H * small - top;
        String words = prompt.isBlank() ? "(empty prompt)" : prompt;
        for (int scale = Math.max(1, boxH / (BitmapText.CELL_H * 2)); scale >= 1; scale--) {
            List<String> lines = BitmapText.wrap(words, Math.max(1, boxW / (BitmapText.CELL_W * scale)));
            if (lines.size() * BitmapText.CELL_H * scale <= boxH || scale == 1) {
                g.setColor(Color.WHITE);
                int y = top + Math.max(0, (boxH - lines.size() * BitmapText.CELL_H * scale) / 2);
                int fit = Math.min(lines.size(), Math.max(1, boxH / (BitmapText.CELL_H * scale)));
                for (String line : lines.subList(0, fit)) {
                    BitmapText.draw(g, line, margin + (boxW - line.length() * BitmapText.CELL_W * scale) / 2, y, scale);
                    y += BitmapText.CELL_H * scale;
                }
                return;
            }
        }
    }

    private static Font fit(Graphics2D g, Font font, String text, int width) {
        Font f = font;
        while (f.getSize() > 6 && g.getFontMetrics(f).stringWidth(text) > width) {
            f = f.deriveFont(f.getSize2D() * 0.9f);
        }
        return f;
    }

    /** Greedy word wrap; a word wider than the box is cut. */
    static List<String> wrap(String text, FontMetrics fm, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split("\\s+")) {
            String candidate = line.isEmpty() ? word : line + " " + word;
            if (fm.stringWidth(candidate) <= width) {
                line.setLength(0);
                line.append(candidate);
                continue;
            }
            if (!line.isEmpty()) {
                lines.add(line.toString());
                line.setLength(0);
            }
            String rest = word;
            while (fm.stringWidth(rest) > width && rest.length() > 1) {
                int cut = rest.length() - 1;
                while (cut > 1 && fm.stringWidth(rest.substring(0, cut)) > width) {
                    cut--;
                }
                lines.add(rest.substring(0, cut));
                rest = rest.substring(cut);
            }
            line.append(rest);
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }

    private static volatile boolean warned;

    private static void warnOnce(Throwable t) {
        if (!warned) {
            warned = true;
            System.err.println("stand-in: no usable font (" + t + "); drawing the text with a built-in bitmap font");
        }
    }

    /** PNG at the fastest deflate level (ImageIO's default level 9 takes seconds at 2K and 4K). */
    private static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (param.canWriteCompressed()) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                // PNG: quality q is deflate level round(9 * (1 - q)); JPEG: the usual quality.
                param.setCompressionQuality("png".equals(format) ? 0.9f : 0.85f);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
