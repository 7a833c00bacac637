package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.imagefn.testing.HttpTestBase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /q/openapi} serves the committed document byte for byte (YAML by default, JSON on request), and the
 * function carries no OpenAPI generator: the document is not parsed or rewritten at start-up.
 */
@QuarkusTest
class OpenApiRouteTest extends HttpTestBase {
    private static final Path YAML_FILE = Path.of("deploy/openapi.yaml");
    private static final Path JSON_FILE = Path.of("deploy/openapi.json");

    private static Response get(String path, String accept) {
        return given().accept(accept).when().get(path).then().statusCode(200).extract().response();
    }

    @Test
    void servesTheCommittedYamlByDefault() throws Exception {
        byte[] yaml = Files.readAllBytes(YAML_FILE);
        for (String path : new String[] {"/q/openapi", "/q/openapi?format=yaml", "/q/openapi.yaml"}) {
            Response r = get(path, "*/*");
            assertTrue(r.contentType().startsWith("application/yaml"), path + ": " + r.contentType());
            assertArrayEquals(yaml, r.asByteArray(), path);
        }
    }

    @Test
    void servesTheJsonTwinOnRequest() throws Exception {
        byte[] json = Files.readAllBytes(JSON_FILE);
        for (String[] ask : new String[][] {{"/q/openapi?format=json", "*/*"}, {"/q/openapi?format=JSON", "*/*"},
                {"/q/openapi.json", "*/*"}, {"/q/openapi", "application/json"}}) {
            Response r = get(ask[0], ask[1]);
            assertTrue(r.contentType().startsWith("application/json"), ask[0] + ": " + r.contentType());
            assertArrayEquals(json, r.asByteArray(), ask[0] + " " + ask[1]);
        }
    }

    @Test
    void answersHeadAndVariesOnAccept() {
        given().when().head("/q/openapi").then().statusCode(200).header("Content-Type",
                org.hamcrest.Matchers.startsWith("application/yaml"));
        assertEquals("Accept", get("/q/openapi", "application/json").header("Vary"));
    }

    @Test
    void theYamlAndTheJsonAreOneDocument() throws Exception {
        assertEquals(new ObjectMapper(new YAMLFactory()).readTree(YAML_FILE.toFile()),
                new ObjectMapper().readTree(JSON_FILE.toFile()), "make openapi writes both from one generation");
    }

    @Test
    void theFunctionCarriesNoOpenApiGenerator() {
        for (String generator : new String[] {"io.smallrye.openapi.api.SmallRyeOpenAPI",
                "io.quarkus.smallrye.openapi.runtime.OpenApiDocumentService"}) {
            assertFalse(present(generator), generator + " is on the function's class path: it would parse and"
                    + " rewrite the whole document at every start");
        }
    }

    private static boolean present(String className) {
        try {
            Class.forName(className, false, Thread.currentThread().getContextClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
