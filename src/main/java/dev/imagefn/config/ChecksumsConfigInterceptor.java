package dev.imagefn.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * {@code imagefn.storage.checksums=when-required}, for stores that reject the SDK's checksums (R2, GCS interop,
 * older MinIO), also turns the S3 client's response checksum validation off ({@code quarkus.s3.checksum-validation})
 * unless that is set explicitly. The SDK's CRC32 on uploads has no Quarkus setting: README, Configuration.
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
