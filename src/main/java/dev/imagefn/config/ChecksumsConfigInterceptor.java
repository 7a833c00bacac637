package dev.imagefn.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * {@code imagefn.storage.checksums=when-required}, for stores that reject checksum headers and trailers (R2, GCS
 * interop, older MinIO), also sets {@code quarkus.s3.checksum-validation=false} unless that is set explicitly: the
 * extension always passes it to {@code S3Configuration.checksumValidationEnabled}, and the SDK turns {@code false}
 * into WHEN_REQUIRED for both its upload CRC32 and its download validation ({@code true}, the default, into
 * WHEN_SUPPORTED, which also overrides the SDK's own environment variables).
 */
@Priority(Priorities.APPLICATION)
public class ChecksumsConfigInterceptor implements ConfigSourceInterceptor {
    static final String TARGET = "quarkus.s3.checksum-validation";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!TARGET.equals(name) || UserSettings.isSet(value)) {
            return value;
        }
        ConfigValue checksums = context.proceed("imagefn.storage.checksums");
        if (checksums == null || checksums.getValue() == null) {
            return value;
        }
        boolean validate = !"when-required".equalsIgnoreCase(checksums.getValue().strip());
        return checksums.withName(TARGET).withValue(Boolean.toString(validate));
    }
}
