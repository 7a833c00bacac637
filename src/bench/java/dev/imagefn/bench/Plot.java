package dev.imagefn.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Line charts side by side, drawn with java.awt (headless) and written as one PNG. */
final class Plot {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd)};
    private static final int W = 420;
    private static final int H = 320;

    /** One panel: a title, axis labels, x tick labels and one series of y values per name. */
    record Panel(String title, String xLabel, String yLabel, List<String> xTicks, Map<String, List<Double>> series) {
        Panel(String title, String xLabel, String yLabel, List<String> xTicks) {
            this(title, xLabel, yLabel, xTicks, new LinkedHashMap<>());
        }
    }

    private final List<Panel> panels = new ArrayList<>();

    Plot add(Panel p) {
        panels.add(p);
        return this;
    }

    void write(Path file) throws IOException {
        BufferedImage img = new BufferedImage(Math.max(1, panels.size()) * W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            draw(g, panels.get(i), i * W);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void draw(Graphics2D g, Panel p, int x0) {
        int left = x0 + 60;
        int right = x0 + W - 20;
        int top = 40;
        int bottom = H - 50;
        double max = p.series().values().stream().flatMap(List::stream).filter(v -> v != null && v > 0)
                .mapToDouble(Double::doubleValue).max().orElse(1) * 1.1;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(p.title(), left, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawLine(left, bottom, right, bottom);
        g.drawLine(left, top, left, bottom);
        g.drawString(p.xLabel(), (left + right) / 2 - 30, H - 12);
        g.drawString(p.yLabel(), x0 + 4, top - 8);
        for (int k = 0; k <= 4; k++) {
            int y = bottom - (bottom - top) * k / 4;
            g.setColor(new Color(0xdddddd));
            g.drawLine(left + 1, y, right, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.0f", max * k / 4), x0 + 8, y + 4);
        }
        int n = p.xTicks().size();
        for (int k = 0; k < n; k++) {
            g.drawString(p.xTicks().get(k), xAt(k, n, left, right) - 8, bottom + 16);
        }
        int c = 0;
        for (Map.Entry<String, List<Double>> s : p.series().entrySet()) {
            Color color = COLORS[c % COLORS.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(2f));
            int px = -1;
            int py = -1;
            for (int k = 0; k < s.getValue().size() && k < n; k++) {
                Double v = s.getValue().get(k);
                if (v == null) {
                    px = -1;
                    continue;
                }
                int x = xAt(k, n, left, right);
                int y = bottom - (int) ((bottom - top) * v / max);
                g.fillOval(x - 3, y - 3, 6, 6);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.fillRect(right - 110, top + 4 + c * 16, 10, 10);
            g.setColor(Color.BLACK);
            g.drawString(s.getKey(), right - 95, top + 13 + c * 16);
            c++;
        }
    }

    private static int xAt(int k, int n, int left, int right) {
        return n <= 1 ? (left + right) / 2 : left + 20 + (right - left - 40) * k / (n - 1);
    }
}
