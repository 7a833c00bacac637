package dev.imagefn.config;

import io.smallrye.config.ConfigValue;

/** What the config interceptors derive a setting from, and when they leave it alone. */
final class UserSettings {
    private UserSettings() {
    }

    /**
     * Set by someone: not absent, not blank, and not a default (Quarkus keeps the extensions' defaults in sources
     * below 100, the ordinal of the lowest user source, microprofile-config.properties).
     */
    static boolean isSet(ConfigValue v) {
        return v != null && v.getValue() != null && !v.getValue().isBlank() && v.getConfigSourceOrdinal() >= 100;
    }
}
