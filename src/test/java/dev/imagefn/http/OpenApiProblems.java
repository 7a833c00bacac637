package dev.imagefn.http;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.delivery.http.OpenAiErrors;
import dev.imagefn.json.ProblemJson;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * The error responses in {@code /q/openapi} come from {@link ErrorCode}, the one catalogue: the {@code code} enum of
 * the Problem schema and, on every operation, one response per status naming its codes: a Problem, or on the OpenAI
 * route an OpenAiError with the status, type and code {@link OpenAiErrors} gives it.
 */
public class OpenApiProblems implements OASFilter {
    public static final String OPENAI_OPERATION = ImagesResource.OPENAI_OPERATION;

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Map<String, Schema> schemas = openAPI.getComponents().getSchemas();
        schemas.get("Problem").getProperties().get("code").setEnumeration(values(ErrorCode::name));
        Map<String, Schema> error = schemas.get("OpenAiError").getProperties().get("error").getProperties();
        error.get("type").setEnumeration(values(OpenAiErrors::type));
        error.get("code").setEnumeration(values(OpenAiErrors::code));
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().values().forEach(item -> item.getOperations().values().forEach(op -> {
            if (OPENAI_OPERATION.equals(op.getOperationId())) {
                add(op, OpenAiErrors::status, c -> c.name() + " (" + OpenAiErrors.code(c) + ")", OpenApiProblems::openAiError);
            } else {
                add(op, ErrorCode::status, ErrorCode::name, () -> response(ProblemJson.MEDIA_TYPE, "Problem"));
            }
        }));
    }

    private static void add(Operation op, Function<ErrorCode, Integer> status, Function<ErrorCode, String> name,
            Supplier<APIResponse> response) {
        Map<Integer, List<String>> byStatus = new TreeMap<>();
        for (ErrorCode c : ErrorCode.values()) {
            byStatus.computeIfAbsent(status.apply(c), s -> new ArrayList<>()).add(name.apply(c));
        }
        byStatus.forEach((s, codes) -> op.getResponses().addAPIResponse(Integer.toString(s),
                response.get().description(String.join(", ", codes))));
    }

    private static APIResponse openAiError() {
        return response(MediaType.APPLICATION_JSON, "OpenAiError").addHeader("x-should-retry",
                OASFactory.createHeader().description("true only when another try is safe (a transient failure, "
                        + "never a paid one); the OpenAI SDKs obey it").schema(OASFactory.createSchema()
                                .type(List.of(Schema.SchemaType.BOOLEAN))));
    }

    private static APIResponse response(String mediaType, String schema) {
        return OASFactory.createAPIResponse().content(OASFactory.createContent().addMediaType(mediaType,
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref("#/components/schemas/" + schema))));
    }

    private static List<Object> values(Function<ErrorCode, String> value) {
        LinkedHashSet<Object> out = new LinkedHashSet<>();
        for (ErrorCode c : ErrorCode.values()) {
            out.add(value.apply(c));
        }
        return new ArrayList<>(out);
    }
}
