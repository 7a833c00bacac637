package dev.imagefn.core;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether the {@code modelVersion} Gemini reports names the model that was asked for (README, Model lifecycle).
 * The same model: the same ID, with or without a {@code models/} prefix, or followed by a numeric version suffix
 * ({@code -001}, {@code -09-2025}). Anything else ({@code -preview}, another name) is another model.
 */
public final class ModelVersions {
    private static final Pattern VERSION_SUFFIX = Pattern.compile("(-[0-9]+)+");

    private ModelVersions() {
    }

    public static boolean sameModel(String model, String modelVersion) {
        if (model == null || modelVersion == null || modelVersion.isBlank()) {
            return true;
        }
        String asked = bare(model);
        String served = bare(modelVersion);
        return served.equals(asked)
                || served.startsWith(asked) && VERSION_SUFFIX.matcher(served.substring(asked.length())).matches();
    }

    public static boolean rerouted(String model, String modelVersion) {
        return !sameModel(model, modelVersion);
    }

    private static String bare(String id) {
        String s = id.strip().toLowerCase(Locale.ROOT);
        return s.startsWith("models/") ? s.substring("models/".length()) : s;
    }
}
