package dev.imagefn.config;

import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Quarkus's pool threads (JBoss Threads) need {@code java.lang} opened to the application: {@code java -jar} gets that
 * from the jar manifest, but AWS Lambda's Java runtime does not start the JVM with {@code -jar}. Without it every pool
 * thread dies with an {@code IllegalAccessError} when it ends. An application cannot open a JDK package to itself, so
 * this only says at start-up what to set.
 */
@ApplicationScoped
public class JavaOptionsCheck {
    static final String OPTION = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    private static final Logger LOG = Logger.getLogger(JavaOptionsCheck.class);

    void onStart(@Observes StartupEvent event) {
        if (!ImageMode.current().isNativeImage() && !javaLangOpen()) {
            LOG.errorf("java.base does not open java.lang to the application, so Quarkus's pool threads fail when they "
                    + "end: start the JVM with %s (on AWS Lambda, in JAVA_TOOL_OPTIONS, as "
                    + "deploy/aws/template-snapstart.yaml does)", OPTION);
        }
    }

    static boolean javaLangOpen() {
        return Object.class.getModule().isOpen("java.lang", JavaOptionsCheck.class.getModule());
    }
}
