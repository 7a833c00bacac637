package dev.imagefn.delivery;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One span and one log line per job, whatever carried it. The span's parent is the current context: the HTTP
 * server span, or what a carrier made current with {@link #enter} from the trace headers it received (W3C
 * {@code traceparent}, a CloudEvent's {@code traceparent} extension, AWS {@code X-Amzn-Trace-Id}). The log line
 * and every line logged meanwhile carry the request id, the delivery's kind and id, the model and the outcome as
 * MDC fields (JSON logs show them as fields). Neither ever holds the prompt or a key.
 */
@ApplicationScoped
public class JobTelemetry {
    private static final Logger LOG = Logger.getLogger(JobTelemetry.class);
    /** The W3C trace-context fields, as headers, CloudEvent attributes and message attributes alike. */
    public static final List<String> W3C_FIELDS = List.of("traceparent", "tracestate");
    /** AWS X-Ray's trace header (the xray propagator reads it under this name). */
    public static final String XRAY_HEADER = "X-Amzn-Trace-Id";
    /** The transport's own span when a carrier switched to the event's trace: linked from the job span. */
    private static final ContextKey<SpanContext> TRANSPORT = ContextKey.named("imagefn-transport-span");
    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            if (carrier == null) {
                return null;
            }
            String v = carrier.get(key);
            if (v != null) {
                return v;
            }
            for (var e : carrier.entrySet()) {
                if (e.getKey().equalsIgnoreCase(key)) {
                    return e.getValue();
                }
            }
            return null;
        }
    };

    public static final String MDC_REQUEST_ID = "requestId";
    public static final String MDC_DELIVERY_KIND = "deliveryKind";
    public static final String MDC_DELIVERY_ID = "deliveryId";
    public static final String MDC_MODEL = "model";
    public static final String MDC_OUTCOME = "outcome";

    private final Tracer tracer;
    private final OpenTelemetry otel;

    @Inject
    public JobTelemetry(Tracer tracer, OpenTelemetry otel) {
        this.tracer = tracer;
        this.otel = otel;
    }

    public Tracer tracer() {
        return tracer;
    }

    /**
     * Makes the trace context in {@code headers} (any of the configured propagators' headers) current, keeping
     * the current span as a link; without a valid context in them, the current context stays.
     */
    public Scope enter(Map<String, String> headers) {
        Context current = Context.current();
        if (headers == null || headers.isEmpty()) {
            return current.makeCurrent();
        }
        Context extracted = otel.getPropagators().getTextMapPropagator().extract(Context.root(), headers, MAP);
        if (!Span.fromContext(extracted).getSpanContext().isValid()) {
            return current.makeCurrent();
        }
        return extracted.with(TRANSPORT, Span.fromContext(current).getSpanContext()).makeCurrent();
    }

    /** Runs a delivery's job in its span, with its MDC fields, and logs its outcome once. */
    public Outcome job(Delivery delivery, Supplier<Outcome> job) {
        SpanBuilder b = tracer.spanBuilder("imagefn job " + delivery.kind())
                .setSpanKind(delivery.kind().equals("http") ? SpanKind.INTERNAL : SpanKind.CONSUMER)
                .setAttribute("imagefn.delivery.kind", delivery.kind())
                .setAttribute("imagefn.delivery.id", FailureRecords.printable(delivery.id()))
                .setAttribute("imagefn.request_id", String.valueOf(delivery.requestId()));
        SpanContext transport = Context.current().get(TRANSPORT);
        if (transport != null && transport.isValid()) {
            b.addLink(transport);
        }
        Span span = b.startSpan();
        Map<String, Object> before = MDC.getMap();
        MDC.put(MDC_REQUEST_ID, String.valueOf(delivery.requestId()));
        MDC.put(MDC_DELIVERY_KIND, delivery.kind());
        MDC.put(MDC_DELIVERY_ID, FailureRecords.printable(delivery.id()));
        Outcome o = null;
        try (Scope ignored = span.makeCurrent()) {
            o = job.get();
            return o;
        } finally {
            finish(span, o);
            MDC.clear();
            before.forEach(MDC::put);
        }
    }

    private static void finish(Span span, Outcome o) {
        String outcome = o == null ? "INTERNAL" : o.error() != null ? o.error().code().name()
                : o.status().toUpperCase(Locale.ROOT);
        MDC.put(MDC_OUTCOME, outcome);
        span.setAttribute("imagefn.outcome", outcome);
        if (o != null && o.result() != null) {
            MDC.put(MDC_MODEL, o.result().model());
            span.setAttribute("imagefn.model", o.result().model());
            span.setAttribute("imagefn.key", o.result().key());
        }
        if (o == null || o.error() != null) {
            span.setStatus(StatusCode.ERROR, outcome);
            if (o != null) {
                span.setAttribute("imagefn.disposition", o.disposition().name());
            }
        }
        span.end();
        String kind = String.valueOf(MDC.get(MDC_DELIVERY_KIND));
        String id = String.valueOf(MDC.get(MDC_DELIVERY_ID));
        if (o != null && o.error() != null && o.error().code().status() >= 500) {
            LOG.warnf("%s delivery %s: %s", kind, id, outcome);
        } else {
            LOG.infof("%s delivery %s: %s", kind, id, outcome);
        }
    }
}
