package dev.imagefn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.HttpTestBase;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without an OTLP endpoint (tests, make demo) the SDK is disabled: no span processor, no exporter, no thread that
 * tries to reach a collector.
 */
@QuarkusTest
class TracingOffTest extends HttpTestBase {
    @Inject
    Tracer tracer;

    @Test
    void noSpansAndNoExporterThread() {
        var disabled = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getConfigValue("quarkus.otel.sdk.disabled");
        assertEquals("true", disabled.getValue(), disabled.getSourceName() + " " + disabled.getSourceOrdinal());
        post("{\"prompt\":\"untraced\"}").statusCode(200);
        tracer.spanBuilder("probe").startSpan().end();
        List<String> exporters = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.contains("BatchSpanProcessor") || n.toLowerCase().contains("otlp")).toList();
        assertEquals(List.of(), exporters);
    }
}
