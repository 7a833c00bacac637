package dev.imagefn.core;

import java.util.Locale;
import java.util.Optional;

/** Image formats recognised by their magic numbers. */
public enum ImageFormat {
    PNG("image/png", "png"),
    JPEG("image/jpeg", "jpg"),
    WEBP("image/webp", "webp"),
    GIF("image/gif", "gif"),
    HEIC("image/heic", "heic"),
    HEIF("image/heif", "heif");

    private final String mimeType;
    private final String extension;

    ImageFormat(String mimeType, String extension) {
        this.mimeType = mimeType;
        this.extension = extension;
    }

    public String mimeType() {
        return mimeType;
    }

    public String extension() {
        return extension;
    }

    public static Optional<ImageFormat> ofMimeType(String mimeType) {
        if (mimeType == null) {
            return Optional.empty();
        }
        String m = mimeType.strip().toLowerCase(Locale.ROOT);
        int semi = m.indexOf(';');
        if (semi >= 0) {
            m = m.substring(0, semi).strip();
        }
        if (m.equals("image/jpg")) {
            return Optional.of(JPEG);
        }
        for (ImageFormat f : values()) {
            if (f.mimeType.equals(m)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The format the bytes are in, by magic number. */
    public static Optional<ImageFormat> detect(byte[] b, int len) {
        if (len >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' && b[4] == 0x0d
                && b[5] == 0x0a && b[6] == 0x1a && b[7] == 0x0a) {
            return Optional.of(PNG);
        }
        if (len >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return Optional.of(JPEG);
        }
        if (len >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
                && b[10] == 'B' && b[11] == 'P') {
            return Optional.of(WEBP);
        }
        if (len >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return Optional.of(GIF);
        }
        if (len >= 12 && b[4] == 'f' && b[5] == 't' && b[6] == 'y' && b[7] == 'p') {
            String brand = new String(b, 8, 4, java.nio.charset.StandardCharsets.US_ASCII);
            return switch (brand) {
                case "heic", "heix", "hevc", "hevx", "heim", "heis" -> Optional.of(HEIC);
                case "mif1", "msf1" -> Optional.of(HEIF);
                default -> Optional.empty();
            };
        }
        return Optional.empty();
    }

    /** Random access to an image's bytes: {@code at(i)} is byte {@code i} as 0..255. */
    @FunctionalInterface
    public interface Bytes {
        int at(long index);
    }

    /** Width and height from the image header, or {@code {0,0}} when the header does not say. */
    public int[] dimensions(byte[] b, int len) {
        return dimensions(i -> b[(int) i] & 0xff, len);
    }

    /** As {@link #dimensions(byte[], int)}; a JPEG's frame header may come after megabytes of metadata (C2PA). */
    public int[] dimensions(Bytes b, long len) {
        return switch (this) {
            case PNG -> len >= 24 ? new int[] {int32(b, 16), int32(b, 20)} : new int[2];
            case GIF -> len >= 10 ? new int[] {u16le(b, 6), u16le(b, 8)} : new int[2];
            case JPEG -> jpegDimensions(b, len);
            case WEBP -> webpDimensions(b, len);
            case HEIC, HEIF -> new int[2];
        };
    }

    /**
     * Whether the bytes end as the format requires: a PNG with its IEND chunk, a JPEG with its end-of-image marker
     * among the last 64 bytes (some writers pad after it), a GIF with its trailer (zero or line-end padding after it
     * allowed); a WebP holds the whole RIFF chunk its header declares, a HEIC/HEIF the whole of every top-level box,
     * a {@code meta} box (an image) or a {@code moov} box (an image sequence) among them.
     */
    public boolean ends(Bytes b, long len) {
        return switch (this) {
            case PNG -> len >= 8 + 25 + 12 && int32(b, len - 12) == 0 && int32(b, len - 8) == 0x49454e44
                    && int32(b, len - 4) == 0xae426082;
            case JPEG -> {
                for (long i = len - 2; i >= Math.max(2, len - 64); i--) {
                    if (b.at(i) == 0xff && b.at(i + 1) == 0xd9) {
                        yield true;
                    }
                }
                yield false;
            }
            case GIF -> gifEnds(b, len);
            case WEBP -> {
                long riff = Integer.toUnsignedLong(u16le(b, 4) | u16le(b, 6) << 16);
                yield len >= 20 && riff >= 12 && riff + 8 <= len; // "WEBP" and at least one chunk header
            }
            case HEIC, HEIF -> isoBoxesEnd(b, len);
        };
    }

    private static boolean gifEnds(Bytes b, long len) {
        for (long i = len - 1; i >= Math.max(13, len - 16); i--) {
            int c = b.at(i);
            if (c == 0x3b) {
                return true;
            }
            if (c != 0 && c != '\n' && c != '\r') {
                return false;
            }
        }
        return false;
    }

    /** ISO BMFF (ISO/IEC 14496-12 §4.2): top-level boxes that tile the bytes, one of them {@code meta} or {@code moov}. */
    private static boolean isoBoxesEnd(Bytes b, long len) {
        long at = 0;
        boolean meta = false;
        while (at < len) {
            if (len - at < 8) {
                return false;
            }
            long size = Integer.toUnsignedLong(int32(b, at));
            int type = int32(b, at + 4);
            if (size == 1) {
                if (len - at < 16) {
                    return false;
                }
                size = (long) int32(b, at + 8) << 32 | Integer.toUnsignedLong(int32(b, at + 12));
                if (size < 16) {
                    return false;
                }
            } else if (size == 0) {
                size = len - at; // to the end of the file
            } else if (size < 8) {
                return false;
            }
            meta |= type == 0x6d657461 || type == 0x6d6f6f76; // "meta", "moov"
            if (size > len - at) {
                return false;
            }
            at += size;
        }
        return meta;
    }

    private static int[] jpegDimensions(Bytes b, long len) {
        long i = 2;
        while (i + 9 < len) {
            if (b.at(i) != 0xff) {
                return new int[2];
            }
            int marker = b.at(i + 1);
            if (marker == 0xff) {
                i++;
                continue;
            }
            if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                i += 2;
                continue;
            }
            int segLen = u16be(b, i + 2);
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof) {
                return new int[] {u16be(b, i + 7), u16be(b, i + 5)};
            }
            if (marker == 0xda || segLen < 2) {
                return new int[2];
            }
            i += 2 + segLen;
        }
        return new int[2];
    }

    private static int[] webpDimensions(Bytes b, long len) {
        if (len < 30) {
            return new int[2];
        }
        String chunk = "" + (char) b.at(12) + (char) b.at(13) + (char) b.at(14) + (char) b.at(15);
        return switch (chunk) {
            case "VP8X" -> new int[] {1 + u24le(b, 24), 1 + u24le(b, 27)};
            case "VP8 " -> new int[] {u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff};
            case "VP8L" -> {
                int bits = b.at(21) | b.at(22) << 8 | b.at(23) << 16 | b.at(24) << 24;
                yield new int[] {1 + (bits & 0x3fff), 1 + ((bits >> 14) & 0x3fff)};
            }
            default -> new int[2];
        };
    }

    private static int int32(Bytes b, long i) {
        return b.at(i) << 24 | b.at(i + 1) << 16 | b.at(i + 2) << 8 | b.at(i + 3);
    }

    private static int u16be(Bytes b, long i) {
        return b.at(i) << 8 | b.at(i + 1);
    }

    private static int u16le(Bytes b, long i) {
        return b.at(i) | b.at(i + 1) << 8;
    }

    private static int u24le(Bytes b, long i) {
        return b.at(i) | b.at(i + 1) << 8 | b.at(i + 2) << 16;
    }
}
