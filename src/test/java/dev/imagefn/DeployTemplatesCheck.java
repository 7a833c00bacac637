package dev.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.imagefn.core.ObjectKeys;
import dev.imagefn.delivery.CloudEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * Runs after {@code make build} ({@code make test} does both): the files in {@code deploy/} parse as YAML and
 * point at what the build really produces — artifact paths, handler class, ports, health paths, event types,
 * configuration names — so they cannot drift from the code.
 */
class DeployTemplatesCheck {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = Path.of("").toAbsolutePath();

    private static JsonNode yaml(String path) throws Exception {
        JsonNode node = YAML.readTree(ROOT.resolve(path).toFile());
        assertNotNull(node, path + " is empty");
        return node;
    }

    @Test
    void samTemplatesReferenceTheBuiltArtifacts() throws Exception {
        JsonNode nativeFn = yaml("deploy/aws/template.yaml").at("/Resources/ImagefnFunction/Properties");
        assertEquals("provided.al2023", nativeFn.get("Runtime").asText());
        Path nativeZip = ROOT.resolve("deploy/aws").resolve(nativeFn.get("CodeUri").asText()).normalize();
        assertEquals(ROOT.resolve("target/lambda-native/function.zip"), nativeZip);
        assertTrue(Files.readString(ROOT.resolve("Makefile")).contains("-Dlambda.dir=$(CURDIR)/target/lambda-native"),
                "make lambda-native must build into target/lambda-native");

        JsonNode jvmFn = yaml("deploy/aws/template-snapstart.yaml").at("/Resources/ImagefnFunction/Properties");
        assertEquals("PublishedVersions", jvmFn.at("/SnapStart/ApplyOn").asText());
        Path jvmZip = ROOT.resolve("deploy/aws").resolve(jvmFn.get("CodeUri").asText()).normalize();
        assertEquals(ROOT.resolve("target/lambda/function.zip"), jvmZip);
        assertTrue(Files.exists(jvmZip), jvmZip + " was not built: run make build first");
        String handler = jvmFn.get("Handler").asText();
        String handlerClass = handler.substring(0, handler.indexOf("::")).replace('.', '/') + ".class";
        try (ZipFile zip = new ZipFile(jvmZip.toFile())) {
            boolean found = zip.stream().anyMatch(e -> e.getName().endsWith(".jar") && jarHas(zip, e, handlerClass));
            assertTrue(found, "function.zip has no " + handlerClass);
            checkAddOpens(zip, yaml("deploy/aws/template-snapstart.yaml")
                    .at("/Globals/Function/Environment/Variables/JAVA_TOOL_OPTIONS").asText());
        }
    }

    /**
     * Lambda does not start the JVM with -jar, so the manifest's Add-Opens must be in JAVA_TOOL_OPTIONS, in the
     * '=' form: the JVM refuses to start on "--add-opens x" there.
     */
    private static void checkAddOpens(ZipFile zip, String javaToolOptions) throws Exception {
        String opens;
        try (var in = zip.getInputStream(zip.getEntry("META-INF/MANIFEST.MF"))) {
            opens = new java.util.jar.Manifest(in).getMainAttributes().getValue("Add-Opens");
        }
        assertNotNull(opens, "function.zip's manifest has no Add-Opens");
        assertTrue(opens.contains("java.base/java.lang"), opens);
        List<String> options = List.of(javaToolOptions.trim().split("\\s+"));
        assertTrue(!options.contains("--add-opens"), "JAVA_TOOL_OPTIONS needs --add-opens=…: " + javaToolOptions);
        for (String open : opens.trim().split("\\s+")) {
            assertTrue(options.contains("--add-opens=" + open + "=ALL-UNNAMED"),
                    "JAVA_TOOL_OPTIONS of template-snapstart.yaml lacks --add-opens=" + open + "=ALL-UNNAMED: " + javaToolOptions);
        }
    }

    @Test
    void samTemplatesWireEveryTrigger() throws Exception {
        for (String t : List.of("deploy/aws/template.yaml", "deploy/aws/template-snapstart.yaml")) {
            JsonNode fn = yaml(t).at("/Resources/ImagefnFunction/Properties");
            JsonNode events = fn.get("Events");
            assertEquals("/v1/images", events.at("/Images/Properties/Path").asText(), t);
            assertEquals(dev.imagefn.delivery.http.HttpApi.OPENAI_PATH, events.at("/OpenAiImages/Properties/Path")
                    .asText(), t + ": the OpenAI route (API Gateway answers a path without a route itself, 404)");
            assertEquals("POST", events.at("/OpenAiImages/Properties/Method").asText(), t);
            assertEquals("/", events.at("/CloudEvents/Properties/Path").asText(), t);
            assertEquals("ReportBatchItemFailures", events.at("/Queue/Properties/FunctionResponseTypes/0").asText(), t);
            assertEquals("uploads/", events.at("/Uploads/Properties/Filter/S3Key/Rules/0/Value").asText(), t);
            assertEquals("jobs/", events.at("/Jobs/Properties/Filter/S3Key/Rules/0/Value").asText(), t);
            assertEquals("Schedule", events.at("/BatchPoll/Type").asText(), t + ": the batch poll");
            assertTrue(fn.toString().contains("IMAGEFN_PIPELINE_MODE") || yaml(t).at("/Globals/Function/Environment")
                    .toString().contains("IMAGEFN_PIPELINE_MODE"), t + ": the pipeline mode setting");
            assertNotNull(fn.get("FunctionUrlConfig"), t);
            assertTrue(yaml(t).at("/Resources/JobsQueue/Properties/RedrivePolicy").isObject(), t + ": DLQ");
            assertTrue(yaml(t).at("/Resources/JobsQueue/Properties/RedrivePolicy/maxReceiveCount").asInt() >= 5,
                    t + ": AWS advises at least 5 receives before the DLQ (throttled and sent-back ones count)");
            String env = yaml(t).at("/Globals/Function/Environment/Variables").toString();
            assertTrue(env.contains("resolve:secretsmanager"), t + ": the key must come from Secrets Manager");
            assertTrue(!env.contains("AIza"), t + ": no key in the template");
            assertTrue(yaml(t).at("/Globals/Function/Timeout").asInt() >= 300, t + ": 4K needs minutes");
            checkConfigNames(env, t);
            JsonNode rules = yaml(t).at("/Resources/ImagesBucket/Properties/LifecycleConfiguration/Rules");
            List<String> expired = new ArrayList<>();
            rules.forEach(r -> expired.add(r.get("Prefix").asText()));
            assertEquals(List.of("${OutputPrefix}" + ObjectKeys.IDEMPOTENCY, "${OutputPrefix}" + ObjectKeys.BATCHES
                    + "done/", "${OutputPrefix}" + ObjectKeys.BATCHES + "claims/"), expired,
                    t + ": the records README says a lifecycle rule keeps small, and nothing else");
        }
    }

    /**
     * CloudFormation refuses a template whose resources depend on each other in a circle. SAM gives the bucket of an
     * S3 event a notification naming the function, so the function (its environment, its role's policies) must not
     * name that bucket resource back.
     */
    @Test
    void samTemplatesHaveNoCircularDependency() throws Exception {
        for (String t : List.of("deploy/aws/template.yaml", "deploy/aws/template-snapstart.yaml")) {
            JsonNode template = yaml(t);
            JsonNode resources = template.get("Resources");
            Map<String, Set<String>> deps = new TreeMap<>();
            resources.properties().forEach(r -> {
                Set<String> to = new TreeSet<>();
                JsonNode own = r.getValue().deepCopy();
                // An S3 event's bucket is not a dependency of the function: it is the reverse edge, added below.
                own.at("/Properties/Events").forEach(e -> {
                    if ("S3".equals(e.path("Type").asText())) {
                        ((com.fasterxml.jackson.databind.node.ObjectNode) e.get("Properties")).remove("Bucket");
                    }
                });
                referencesIn(own, resources, to);
                if ("AWS::Serverless::Function".equals(r.getValue().path("Type").asText())) {
                    referencesIn(template.at("/Globals/Function"), resources, to);
                }
                to.remove(r.getKey());
                deps.put(r.getKey(), to);
            });
            resources.properties().forEach(r -> r.getValue().at("/Properties/Events").forEach(e -> {
                if ("S3".equals(e.path("Type").asText())) {
                    deps.get(e.at("/Properties/Bucket").asText()).add(r.getKey());
                }
            }));
            assertEquals(List.of(), cycle(deps), t + ": resources that depend on each other in a circle");
        }
    }

    /** Names of resources a node mentions: !Ref X, !GetAtt X.Attr, ${X} or ${X.Attr} in !Sub (YAML tags are dropped). */
    private static void referencesIn(JsonNode node, JsonNode resources, Set<String> into) {
        if (node.isTextual()) {
            String text = node.asText();
            String head = text.contains(".") ? text.substring(0, text.indexOf('.')) : text;
            if (resources.has(head)) {
                into.add(head);
            }
            var m = java.util.regex.Pattern.compile("\\$\\{([A-Za-z0-9]+)[.}]").matcher(text);
            while (m.find()) {
                if (resources.has(m.group(1))) {
                    into.add(m.group(1));
                }
            }
        }
        node.forEach(child -> referencesIn(child, resources, into));
    }

    private static List<String> cycle(Map<String, Set<String>> deps) {
        Map<String, Integer> state = new HashMap<>();
        for (String start : deps.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, deps, state, path)) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean visit(String node, Map<String, Set<String>> deps,
            Map<String, Integer> state, List<String> path) {
        Integer s = state.get(node);
        if (s != null) {
            if (s == 1) {
                path.add(node);
                return true;
            }
            return false;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : deps.getOrDefault(node, Set.of())) {
            if (visit(next, deps, state, path)) {
                return true;
            }
        }
        path.removeLast();
        state.put(node, 2);
        return false;
    }

    @Test
    void knativeAndCloudRunMatchTheService() throws Exception {
        for (String s : List.of("deploy/knative/service.yaml", "deploy/cloudrun/service.yaml")) {
            JsonNode c = yaml(s).at("/spec/template/spec/containers/0");
            assertEquals(8080, c.at("/ports/0/containerPort").asInt(), s);
            assertTrue(yaml(s).at("/spec/template/spec/timeoutSeconds").asInt() >= 300, s);
            checkConfigNames(c.get("env").toString(), s);
            assertTrue(c.toString().contains("/q/health/ready"), s);
            assertTrue(c.toString().contains("secretKeyRef"), s + ": the key comes from a secret");
        }
        JsonNode trigger = yaml("deploy/knative/trigger.yaml");
        assertEquals(CloudEvent.REQUESTED, trigger.at("/spec/filter/attributes/type").asText());
        assertEquals("imagefn", trigger.at("/spec/subscriber/ref/name").asText());
        String eventarc = Files.readString(ROOT.resolve("deploy/cloudrun/eventarc.md"));
        assertTrue(eventarc.contains("type=" + CloudEvent.REQUESTED) && eventarc.contains(CloudEvent.GCS_FINALIZED));
    }

    /** Every IMAGEFN_* variable must be a setting the function knows (README's configuration table). */
    private static void checkConfigNames(String text, String where) throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<String> unknown = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("IMAGEFN_[A-Z_]+").matcher(text);
        while (m.find()) {
            String property = m.group().toLowerCase().replace('_', '.');
            String kebab = property.replaceFirst("^imagefn\\.(\\w+)\\.", "imagefn.$1.");
            if (!readme.replace('-', '.').contains("`" + kebab + "`")) {
                unknown.add(m.group());
            }
        }
        assertEquals(List.of(), unknown, where + " sets settings the README does not document");
    }

    private static boolean jarHas(ZipFile zip, java.util.zip.ZipEntry jar, String entry) {
        try (var in = new java.util.zip.ZipInputStream(zip.getInputStream(jar))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(entry)) {
                    return true;
                }
            }
            return false;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
