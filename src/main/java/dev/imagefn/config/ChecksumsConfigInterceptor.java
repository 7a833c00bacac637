package dev.imagefn.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * {@code imagefn.storage.checksums=when-required} turns the S3 client's checksums to WHEN_REQUIRED, for stores
 * that reject the SDK's default CRC32 trailers (R2, GCS interop, older MinIO). The Quarkus S3 extension has
 * only {@code quarkus.s3.checksum-validation} for that, so it is derived here unless set explicitly.
 */
@Priority(Priorities.APPLICATION)
public class ChecksumsConfigInterceptor implements ConfigSourceInterceptor {
    static final String TARGET = "quarkus.s3.checksum-validation";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!TARGET.equals(name) || value != null) {
            return value;
        }
        ConfigValue checksums = context.proceed("imagefn.storage.checksums");
        if (checksums == null || checksums.getValue() == null) {
            return null;
        }
        boolean validate = !"when-required".equalsIgnoreCase(checksums.getValue().strip());
        return checksums.withName(TARGET).withValue(Boolean.toString(validate));
    }
}
