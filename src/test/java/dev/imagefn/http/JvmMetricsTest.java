package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JVM and system meters, bound after start-up (core/JvmMetricsLater), are served like the others. */
@QuarkusTest
class JvmMetricsTest extends dev.imagefn.testing.HttpTestBase {
    private static final List<String> METERS = List.of("jvm_memory_used_bytes", "jvm_threads_live_threads",
            "jvm_classes_loaded_classes", "jvm_gc_memory_allocated_bytes_total", "jvm_info", "process_uptime_seconds",
            "process_cpu_usage", "system_cpu_count", "process_files_open_files");

    @Test
    void theJvmAndSystemMetersAreServedSoonAfterStart() throws InterruptedException {
        String metrics = "";
        for (int i = 0; i < 100 && !METERS.stream().allMatch(metrics::contains); i++) {
            metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
            if (!METERS.stream().allMatch(metrics::contains)) {
                Thread.sleep(100);
            }
        }
        String served = metrics;
        List<String> missing = METERS.stream().filter(m -> !served.contains(m)).toList();
        assertTrue(missing.isEmpty(), "not served: " + missing);
    }
}
