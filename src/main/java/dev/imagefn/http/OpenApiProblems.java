package dev.imagefn.http;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.json.ProblemJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * The problem codes in {@code /q/openapi} come from {@link ErrorCode}, the one catalogue: the {@code code} enum of
 * the Problem schema, and on every operation one problem response per status, naming its codes.
 */
public class OpenApiProblems implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Map<Integer, List<String>> byStatus = new TreeMap<>();
        for (ErrorCode c : ErrorCode.values()) {
            byStatus.computeIfAbsent(c.status(), s -> new ArrayList<>()).add(c.name());
        }
        Schema problem = openAPI.getComponents().getSchemas().get("Problem");
        List<Object> names = new ArrayList<>();
        for (ErrorCode c : ErrorCode.values()) {
            names.add(c.name());
        }
        problem.getProperties().get("code").setEnumeration(names);
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().values().forEach(item -> item.getOperations().values().forEach(op -> {
            APIResponses responses = op.getResponses();
            byStatus.forEach((status, codes) -> responses.addAPIResponse(Integer.toString(status),
                    OASFactory.createAPIResponse().description(String.join(", ", codes))
                            .content(OASFactory.createContent().addMediaType(ProblemJson.MEDIA_TYPE,
                                    OASFactory.createMediaType().schema(OASFactory.createSchema()
                                            .ref("#/components/schemas/Problem"))))));
        }));
    }
}
