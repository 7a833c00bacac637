package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.json.EventJsonFields;
import dev.imagefn.testing.HttpTestBase;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code /q/openapi} describes the HTTP API in OpenAPI 3.0 (what API Gateway imports), and deploy/openapi.yaml is
 * exactly what the function serves. {@code make openapi} rewrites the file.
 */
@QuarkusTest
class OpenApiDocumentTest extends HttpTestBase {
    static final Path COMMITTED = Path.of("deploy/openapi.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static String served() {
        return given().accept("application/yaml").when().get("/q/openapi").then().statusCode(200).extract().asString();
    }

    @Test
    void describesTheRoutesTheirSchemasAndEveryProblemCode() throws Exception {
        JsonNode doc = YAML.readTree(served());
        assertTrue(doc.path("openapi").asText().startsWith("3.0."), doc.path("openapi").asText());
        JsonNode images = doc.path("paths").path("/v1/images").path("post");
        assertEquals("#/components/schemas/ImageEvent", images.path("requestBody").path("content")
                .path("application/json").path("schema").path("$ref").asText(), images.toString());
        assertEquals("#/components/schemas/ImageResult", images.path("responses").path("200").path("content")
                .path("application/json").path("schema").path("$ref").asText(), images.toString());
        List<String> codes = new ArrayList<>();
        doc.path("components").path("schemas").path("Problem").path("properties").path("code").path("enum")
                .forEach(c -> codes.add(c.asText()));
        assertEquals(Arrays.stream(ErrorCode.values()).map(Enum::name).toList(), codes);
        for (ErrorCode c : ErrorCode.values()) {
            for (String path : List.of("/v1/images", "/")) {
                JsonNode r = doc.path("paths").path(path).path("post").path("responses")
                        .path(Integer.toString(c.status()));
                assertTrue(r.path("description").asText().contains(c.name()) || c.status() == 200,
                        path + " " + c + ": " + r);
            }
        }
        JsonNode event = doc.path("components").path("schemas").path("ImageEvent").path("properties");
        List<String> fields = new ArrayList<>();
        event.fieldNames().forEachRemaining(fields::add);
        assertEquals(EventJsonFields.names(), fields, "the event schema lists the fields the reader takes");
    }

    @Test
    void theCommittedFileIsWhatTheFunctionServes() throws Exception {
        String served = served();
        if (Boolean.getBoolean("openapi.write")) {
            Files.writeString(COMMITTED, served);
        }
        String committed = Files.exists(COMMITTED) ? Files.readString(COMMITTED) : "";
        if (!committed.equals(served)) {
            fail(COMMITTED + " is not what GET /q/openapi serves; run `make openapi` to rewrite it.\n"
                    + diff(committed, served));
        }
    }

    /** The first lines that differ, enough to see what changed. */
    static String diff(String expected, String actual) {
        List<String> a = expected.lines().toList();
        List<String> b = actual.lines().toList();
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < Math.max(a.size(), b.size()) && shown < 20; i++) {
            String x = i < a.size() ? a.get(i) : "<end>";
            String y = i < b.size() ? b.get(i) : "<end>";
            if (!x.equals(y)) {
                out.append(String.format("line %d%n  - %s%n  + %s%n", i + 1, x, y));
                shown++;
            }
        }
        return out.toString();
    }
}
