package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageResult;
import dev.imagefn.core.Usage;
import dev.imagefn.core.batch.PollReport;
import dev.imagefn.delivery.http.OpenAiErrors;
import dev.imagefn.delivery.http.OpenAiImages;
import dev.imagefn.json.EventJsonFields;
import dev.imagefn.json.OpenAiJson;
import dev.imagefn.json.OpenAiJsonFields;
import dev.imagefn.json.PollJson;
import dev.imagefn.json.ResultJson;
import dev.imagefn.testing.HttpTestBase;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The document generated from the routes (quarkus-smallrye-openapi, in the {@code openapi} Maven profile only, at
 * {@code /q/openapi-generated}) describes the HTTP API in OpenAPI 3.0 (what API Gateway imports), and
 * deploy/openapi.yaml and deploy/openapi.json, which the function serves at {@code /q/openapi}, are exactly that
 * document. {@code make openapi} rewrites the files.
 */
@QuarkusTest
class OpenApiDocumentTest extends HttpTestBase {
    static final Path COMMITTED = Path.of("deploy/openapi.yaml");
    static final Path COMMITTED_JSON = Path.of("deploy/openapi.json");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static String served() {
        return generated("yaml");
    }

    private static String generated(String format) {
        return given().queryParam("format", format).when().get("/q/openapi-generated").then().statusCode(200)
                .extract().asString();
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
    void theOpenAiRouteTakesTheReadersFieldsAndAnswersInOpenAisShape() throws Exception {
        JsonNode doc = YAML.readTree(served());
        JsonNode op = doc.path("paths").path("/v1/images/generations").path("post");
        assertEquals(OpenApiProblems.OPENAI_OPERATION, op.path("operationId").asText(), op.toString());
        assertEquals("#/components/schemas/OpenAiImageRequest", op.path("requestBody").path("content")
                .path("application/json").path("schema").path("$ref").asText(), op.toString());
        assertEquals("#/components/schemas/OpenAiImagesResponse", op.path("responses").path("200").path("content")
                .path("application/json").path("schema").path("$ref").asText(), op.toString());
        for (ErrorCode c : ErrorCode.values()) {
            JsonNode r = op.path("responses").path(Integer.toString(OpenAiErrors.status(c)));
            assertTrue(r.path("description").asText().contains(c.name() + " (" + OpenAiErrors.code(c) + ")"),
                    c + ": " + r);
            assertEquals(Set.of("application/json"), names(r.path("content")), c + ": " + r);
            assertEquals("#/components/schemas/OpenAiError", r.path("content").path("application/json")
                    .path("schema").path("$ref").asText(), c + ": " + r);
            assertEquals("boolean", r.path("headers").path("x-should-retry").path("schema").path("type").asText(),
                    c + ": " + r);
        }
        assertEquals("invalid_api_key", OpenAiErrors.code(ErrorCode.UNAUTHORIZED));
        assertTrue(op.path("responses").path("401").path("description").asText().contains("invalid_api_key"));
        assertFalse(op.toString().contains(dev.imagefn.json.ProblemJson.MEDIA_TYPE), op.toString());

        JsonNode schemas = doc.path("components").path("schemas");
        JsonNode request = schemas.path("OpenAiImageRequest");
        assertEquals(new TreeSet<>(OpenAiJsonFields.names()), names(request.path("properties")),
                "the OpenAI request schema lists the fields the reader takes");
        assertFalse(request.path("additionalProperties").asBoolean(true), request.toString());
        assertEquals(OpenAiImages.MAX_IMAGES, request.path("properties").path("n").path("maximum").asInt());

        ImageResult result = fullResult();
        JsonNode images = JSON.readTree(OpenAiJson.writeImages(1L, List.of(new OpenAiJson.Item("u", null),
                new OpenAiJson.Item(null, "Yg==")), List.of(result, result)));
        JsonNode response = schemas.path("OpenAiImagesResponse");
        assertEquals(names(images), names(response.path("properties")), "the OpenAI answer's fields");
        assertEquals(names(images), names(response.path("required")), "the OpenAI answer's fields");
        Set<String> items = new TreeSet<>(names(images.path("data").get(0)));
        items.addAll(names(images.path("data").get(1)));
        assertEquals(items, names(response.path("properties").path("data").path("items").path("properties")));
        assertEquals(names(images.path("usage")), names(response.path("properties").path("usage")
                .path("properties")));
        JsonNode error = JSON.readTree(OpenAiJson.writeError("m", "t", "c", "p"));
        assertEquals(names(error), names(schemas.path("OpenAiError").path("properties")));
        assertEquals(names(error.path("error")), names(schemas.path("OpenAiError").path("properties")
                .path("error").path("properties")), "OpenAI's error fields");
        assertEquals(names(JSON.readTree(ResultJson.write(result))), names(schemas.path("ImageResult")
                .path("properties")), "the result schema lists every field the writer can write");
    }

    @Test
    void theBatchPollTakesNoBodyAndAnswersWhatThePollDid() throws Exception {
        JsonNode doc = YAML.readTree(served());
        JsonNode op = doc.path("paths").path("/v1/batches:poll").path("post");
        assertTrue(op.path("requestBody").isMissingNode(), op.toString());
        assertEquals("#/components/schemas/BatchPoll", op.path("responses").path("200").path("content")
                .path("application/json").path("schema").path("$ref").asText(), op.toString());
        for (ErrorCode c : ErrorCode.values()) {
            JsonNode r = op.path("responses").path(Integer.toString(c.status()));
            assertTrue(r.path("description").asText().contains(c.name()), c + ": " + r);
        }
        JsonNode schemas = doc.path("components").path("schemas");
        JsonNode poll = JSON.readTree(PollJson.write(new PollReport(List.of(new PollReport.BatchView("batches/1",
                "BATCH_STATE_SUCCEEDED")), List.of(fullResult()), List.of(new PollReport.Failed("e-1", "r",
                        new ImageFnException(ErrorCode.NO_IMAGE, "none", Map.of("reason", "x"), null, null),
                        "failed/e-1.json"))), "r"));
        JsonNode schema = schemas.path("BatchPoll").path("properties");
        assertEquals(names(poll), names(schema), "the poll answer's fields");
        assertEquals(names(poll.path("batches").get(0)), names(schema.path("batches").path("items")
                .path("properties")));
        assertEquals("#/components/schemas/ImageResult", schema.path("stored").path("items").path("$ref").asText());
        assertEquals("#/components/schemas/BatchFailure", schema.path("failed").path("items").path("$ref").asText());
        JsonNode failure = schemas.path("BatchFailure").path("allOf");
        Set<String> refs = new TreeSet<>();
        Set<String> extra = new TreeSet<>();
        failure.forEach(part -> {
            if (part.has("$ref")) {
                refs.add(part.path("$ref").asText());
            }
            extra.addAll(names(part.path("properties")));
        });
        assertEquals(Set.of("#/components/schemas/Problem"), refs, failure.toString());
        Set<String> described = names(schemas.path("Problem").path("properties"));
        described.addAll(extra);
        Set<String> written = names(poll.path("failed").get(0));
        assertTrue(described.containsAll(written), "a failed entry's fields " + written + " within " + described);
        assertTrue(written.containsAll(extra), written.toString());
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Field names of an object, or the strings of an array. */
    private static Set<String> names(JsonNode node) {
        Set<String> out = new TreeSet<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else {
            node.fieldNames().forEachRemaining(out::add);
        }
        return out;
    }

    /** A result with every optional field set, so the writer writes all it can. */
    private static ImageResult fullResult() {
        return new ImageResult("images", "k.png", "https://u", "image/png", 1, "s", 8, 8,
                List.of(new ImageResult.StoredImage("k.png", "image/png", 1, "s", 8, 8)), "t", "m", "v",
                new Usage(1, 2, 3, 4), new ImageResult.Cost(null, "no price"), false, "r", "asked", true, true);
    }

    @Test
    void theCommittedFilesAreTheGeneratedDocument() throws Exception {
        for (Path file : List.of(COMMITTED, COMMITTED_JSON)) {
            String generated = generated(file == COMMITTED ? "yaml" : "json");
            if (Boolean.getBoolean("openapi.write")) {
                Files.writeString(file, generated);
            }
            String committed = Files.exists(file) ? Files.readString(file) : "";
            if (!committed.equals(generated)) {
                fail(file + " is not the document the routes generate; run `make openapi` to rewrite it.\n"
                        + diff(committed, generated));
            }
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
