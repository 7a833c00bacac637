package dev.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Which route a REST API (payload 1.0) event names, whatever its resource and base path. */
class RestPathTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode event(String resourcePath, String proxy, String path) {
        ObjectNode e = JSON.createObjectNode().put("path", path);
        e.putObject("requestContext").put("resourcePath", resourcePath);
        if (proxy != null) {
            e.putObject("pathParameters").put("proxy", proxy);
        }
        return e;
    }

    @Test
    void aPlainResourceIsTheRoute() {
        assertEquals("/v1/images", ApiGatewayAdapter.restPath(event("/v1/images", null, "/base/v1/images")));
    }

    @Test
    void aRootProxyResourceRoutesWhatItMatched() {
        assertEquals("/v1/images/generations", ApiGatewayAdapter.restPath(
                event("/{proxy+}", "v1/images/generations", "/imagefn/v1/images/generations")));
    }

    @Test
    void aProxyResourceUnderAPrefixOfTheDeployersRoutesWhatItMatched() {
        assertEquals("/v1/images", ApiGatewayAdapter.restPath(event("/api/{proxy+}", "v1/images", "/api/v1/images")));
        assertEquals("/v1/batches:poll", ApiGatewayAdapter.restPath(
                event("/api/{proxy+}", "v1/batches:poll", "/api/v1/batches:poll")));
    }

    @Test
    void aProxyResourceUnderOurOwnPrefixKeepsIt() {
        assertEquals("/v1/images/generations", ApiGatewayAdapter.restPath(
                event("/v1/{proxy+}", "images/generations", "/v1/images/generations")));
    }

    @Test
    void aMatchWithALeadingSlashIsNotADoubleSlash() {
        assertEquals("/v1/images", ApiGatewayAdapter.restPath(event("/{proxy+}", "/v1/images", "//v1/images")));
    }

    @Test
    void theHealthCheckIsRoutedThroughAProxyResourceToo() {
        assertEquals("/q/health", ApiGatewayAdapter.restPath(event("/{proxy+}", "q/health", "/imagefn/q/health")));
        assertEquals("/q/health/ready", ApiGatewayAdapter.restPath(
                event("/api/{proxy+}", "q/health/ready", "/api/q/health/ready")));
    }

    @Test
    void anUnknownPathStaysUnknown() {
        assertEquals("/api/nothing", ApiGatewayAdapter.restPath(event("/api/{proxy+}", "nothing", "/api/nothing")));
    }
}
