package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.imagefn.testing.LocalStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(LocalStackResource.class)
class SmokeTest {
    @Test
    void generatesAnImage() {
        given().contentType("application/json").body("{\"prompt\":\"a lighthouse\",\"aspectRatio\":\"16:9\",\"imageSize\":\"2K\"}")
                .when().post("/v1/images")
                .then().log().ifValidationFails().statusCode(200)
                .body("key", startsWith("generated/"))
                .body("width", equalTo(2752))
                .body("height", equalTo(1536));
    }
}
