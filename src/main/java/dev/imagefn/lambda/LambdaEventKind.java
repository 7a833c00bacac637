package dev.imagefn.lambda;

import com.fasterxml.jackson.databind.JsonNode;

/** The shapes of event one Lambda artifact answers, told apart by their fields. */
enum LambdaEventKind {
    API_GATEWAY_V1, API_GATEWAY_V2, SQS, S3, EVENTBRIDGE_S3, SCHEDULED, DIRECT;

    static LambdaEventKind of(JsonNode e) {
        if (e.path("Records").isArray() && !e.path("Records").isEmpty()) {
            String source = e.path("Records").get(0).path("eventSource").asText("");
            if (source.equals("aws:sqs")) {
                return SQS;
            }
            if (source.equals("aws:s3")) {
                return S3;
            }
        }
        if ("aws.s3".equals(e.path("source").asText(null)) && e.has("detail-type")) {
            return EVENTBRIDGE_S3;
        }
        if ("aws.events".equals(e.path("source").asText(null)) && "Scheduled Event".equals(e.path("detail-type")
                .asText(null))) {
            return SCHEDULED;
        }
        if ("2.0".equals(e.path("version").asText(null)) && e.path("requestContext").has("http")) {
            return API_GATEWAY_V2;
        }
        if (e.has("httpMethod") && e.has("requestContext")) {
            return API_GATEWAY_V1;
        }
        return DIRECT;
    }
}
