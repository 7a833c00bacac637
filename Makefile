# imagefn — make help lists the targets. Every target runs Maven through the wrapper (Maven 3.9.11)
# on a JDK 25: JAVA_HOME when it is a 25, else a JDK 25 installed beside the default java.
SHELL := /bin/bash
.DEFAULT_GOAL := help

JDK25 := $(shell \
  is25() { [ -x "$$1/bin/java" ] && "$$1/bin/java" -version 2>&1 | head -n1 | grep -Eq 'version "25[."]'; }; \
  if [ -n "$$JAVA_HOME" ] && is25 "$$JAVA_HOME"; then echo "$$JAVA_HOME"; exit 0; fi; \
  java_bin=$$(readlink -f "$$(command -v java 2>/dev/null)" 2>/dev/null); \
  for dir in $$(dirname "$$(dirname "$$(dirname "$$java_bin")")" 2>/dev/null) /usr/lib/jvm /usr/local/lib/jvm /opt/java; do \
    for jdk in "$$dir"/*; do if is25 "$$jdk"; then echo "$$jdk"; exit 0; fi; done; \
  done)
MVN := JAVA_HOME="$(JDK25)" ./mvnw -B -ntp
JAVA := "$(JDK25)/bin/java"
LOCALSTACK := target/localstack
# The JDK AOT cache (README, Faster JVM start): trained on the local stack, used by make run, the JVM container
# image and make bench. Training and use must share the JDK build, the class path and these JVM options.
AOT_CACHE := target/quarkus-app/app.aot
AOT_JAVA_OPTS := -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
# What GET /q/openapi serves, packaged into the jar: the cached targets below are rebuilt when make openapi rewrites them.
OPENAPI_FILES := deploy/openapi.yaml deploy/openapi.json

.PHONY: help build build-http aot aot-training test openapi bench run demo native native-sources native-check native-test lambda-native clean check-jdk print-jdk \
	deploy-aws deploy-aws-jvm deploy-knative deploy-cloudrun

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

print-jdk:
	@echo "$(JDK25)"

check-jdk:
	@if [ -z "$(JDK25)" ]; then echo "No JDK 25 found: set JAVA_HOME to a JDK 25 (Temurin 25 works)." >&2; exit 1; fi

build: check-jdk ## the HTTP function (target/quarkus-app, with its AOT cache app.aot) and the Lambda function.zip (target/lambda)
	$(MVN) package -DskipTests
	$(MVN) package -DskipTests -Plambda
	$(MAKE) --no-print-directory aot aot-training

aot-training: ## the training workload, for the JVM container image that trains its own cache (src/main/docker/Dockerfile.jvm)
	rm -rf target/aot-training && mkdir -p target/aot-training/lib target/aot-training/localstack
	cp -r target/test-classes target/aot-training/classes
	cp $(LOCALSTACK)/s3proxy.jar target/aot-training/localstack/
	tr ':' '\n' < $(LOCALSTACK)/test-classpath.txt | grep -E '/jackson-(core|databind|annotations)-[0-9.]+\.jar$$' \
	  | xargs -I{} cp {} target/aot-training/lib/

aot: check-jdk ## train the JDK AOT cache target/quarkus-app/app.aot on the local stack (S3Proxy + stand-in); make build does it
	rm -f $(AOT_CACHE)
	IMAGEFN_JAVA_OPTS="$(AOT_JAVA_OPTS)" $(JAVA) -cp "target/test-classes:$$(cat $(LOCALSTACK)/test-classpath.txt)" \
	  dev.imagefn.demo.LocalStack train $(AOT_CACHE)

# Package and train again only when the sources, the pom or the package changed: every package rewrites the
# application's jars, which makes the JVM refuse (and ignore) a cache trained before it.
$(AOT_CACHE): pom.xml $(OPENAPI_FILES) $(shell find src/main src/test/java/dev/imagefn/demo -type f 2>/dev/null) $(wildcard target/quarkus-app/quarkus-run.jar)
	$(MVN) package -DskipTests
	$(MAKE) --no-print-directory aot

test: check-jdk ## all tests: unit, @QuarkusTest, @QuarkusIntegrationTest on the jar, function.zip under AWS's RIC, native-sources, deploy/ checks
	$(MVN) verify
	$(MVN) test -Popenapi
	$(MVN) verify -Plambda
	$(MAKE) --no-print-directory native-sources
	$(MVN) surefire:test -Dtest='NativeSourcesCheck,DeployTemplatesCheck' -Dnative.sources.dir=target/native-sources \
	  -Dsurefire.failIfNoSpecifiedTests=true

openapi: check-jdk ## rewrite deploy/openapi.yaml and .json (what /q/openapi serves; OpenAPI 3.0, API Gateway imports it) from the routes
	$(MVN) test -Popenapi -Dopenapi.write=true

build-http: check-jdk
	$(MVN) package -DskipTests

demo: build-http ## the main job: local S3 + stand-in (no GEMINI_API_KEY) → one prompt → key and stored file (target/demo/)
	$(JAVA) -Djava.awt.headless=true -cp "target/test-classes:$$(cat $(LOCALSTACK)/test-classpath.txt)" dev.imagefn.demo.LocalStack demo \
	  "$${PROMPT:-A watercolor lighthouse at dusk, warm light in the windows, gulls overhead}"

run: check-jdk $(AOT_CACHE) ## serve the function (JVM + AOT cache) on the same local stack until Ctrl-C (http://127.0.0.1:8080/v1/images)
	IMAGEFN_JAVA_OPTS="$(AOT_JAVA_OPTS)" $(JAVA) -Djava.awt.headless=true -cp "target/test-classes:$$(cat $(LOCALSTACK)/test-classpath.txt)" dev.imagefn.demo.LocalStack run

bench: check-jdk ## benchmarks and their targets (docs/BENCHMARKS.md); ARGS="cold overhead memory concurrency scaling", BENCH_OPTS=-Dbench.runs=N
	$(MVN) package -DskipTests -Pbench
	$(MAKE) --no-print-directory aot target/lambda/function.zip
	$(JAVA) -Djava.awt.headless=true -Dbench.aot.opts="$(AOT_JAVA_OPTS)" $(BENCH_OPTS) -cp "target/test-classes:$$(cat target/bench/classpath.txt)" \
	  dev.imagefn.bench.Bench $(ARGS)

# The JVM Lambda zip and its RIC class path (make bench's Lambda cold start), packaged again only when the sources or
# the pom changed since.
target/lambda/function.zip: pom.xml $(OPENAPI_FILES) $(shell find src/main src/lambda -type f 2>/dev/null)
	$(MVN) package -DskipTests -Plambda

native-sources: check-jdk ## generate the native-image sources and arguments (no GraalVM needed)
	$(MVN) package -DskipTests -Dnative -Dquarkus.native.sources-only=true -Dquarkus.package.jar.enabled=true

# make native-sources again only when the sources or the pom changed since target/native-sources was made.
target/native-sources/native-image.args: pom.xml $(OPENAPI_FILES) $(shell find src/main -type f 2>/dev/null)
	$(MAKE) --no-print-directory native-sources

native-check: check-jdk target/native-sources/native-image.args ## native-image's analysis and image-heap checks on native-sources (no GraalVM needed; ~10 min, 5 GB)
	$(MVN) -q -Pnative-check validate
	JAVA_HOME="$(JDK25)" .ci/native-check.sh target/native-sources target/native-check

NATIVE_BUILD := -Dnative $(if $(NATIVE_CONTAINER),-Dquarkus.native.container-build=true)

native: check-jdk ## native HTTP executable: GraalVM or Mandrel 25 locally, or NATIVE_CONTAINER=1 for a container build
	$(MVN) package -DskipTests $(NATIVE_BUILD)

native-test: check-jdk ## the integration tests (HTTP, CloudEvents, Lambda) on the native executables; needs what make native needs
	$(MVN) verify $(NATIVE_BUILD) -DskipUTs
	$(MVN) verify -Plambda $(NATIVE_BUILD) -DskipUTs -Dlambda.dir=$(CURDIR)/target/lambda-native
	deploy/aws/check-bootstrap.sh target/lambda-native/function.zip x86_64

lambda-native: check-jdk ## native Lambda function.zip (provided.al2023, x86_64, glibc <= 2.34) in target/lambda-native
	$(MVN) package -DskipTests -Plambda $(NATIVE_BUILD) -Dlambda.dir=$(CURDIR)/target/lambda-native
	deploy/aws/check-bootstrap.sh target/lambda-native/function.zip x86_64

deploy-aws: ## deploy deploy/aws/template.yaml (native) with the AWS SAM CLI; run make lambda-native first
	@command -v sam >/dev/null || { echo "deploy-aws needs the AWS SAM CLI (sam), which is not installed here." >&2; exit 1; }
	@test -f target/lambda-native/function.zip || { echo "target/lambda-native/function.zip is missing: run make lambda-native" >&2; exit 1; }
	@test -n "$$INBOUND_TOKEN" || { echo "set INBOUND_TOKEN (>= 16 characters): the HTTP API's bearer token" >&2; exit 1; }
	sam deploy --template-file deploy/aws/template.yaml --stack-name $${STACK:-imagefn} --capabilities CAPABILITY_IAM --resolve-s3 \
	  --parameter-overrides InboundToken="$$INBOUND_TOKEN" $${BUCKET_PREFIX:+ImagesBucketPrefix=$$BUCKET_PREFIX} $${SAM_PARAMETERS:-}

deploy-aws-jvm: ## deploy deploy/aws/template-snapstart.yaml (JVM + SnapStart) with the AWS SAM CLI; run make build first
	@command -v sam >/dev/null || { echo "deploy-aws-jvm needs the AWS SAM CLI (sam), which is not installed here." >&2; exit 1; }
	@test -f target/lambda/function.zip || { echo "target/lambda/function.zip is missing: run make build" >&2; exit 1; }
	@test -n "$$INBOUND_TOKEN" || { echo "set INBOUND_TOKEN (>= 16 characters): the HTTP API's bearer token" >&2; exit 1; }
	sam deploy --template-file deploy/aws/template-snapstart.yaml --stack-name $${STACK:-imagefn-jvm} --capabilities CAPABILITY_IAM --resolve-s3 \
	  --parameter-overrides InboundToken="$$INBOUND_TOKEN" $${BUCKET_PREFIX:+ImagesBucketPrefix=$$BUCKET_PREFIX} $${SAM_PARAMETERS:-}

deploy-knative: ## apply deploy/knative with kubectl; IMAGE=<pushed image> required
	@command -v kubectl >/dev/null || { echo "deploy-knative needs kubectl, which is not installed here." >&2; exit 1; }
	@test -n "$(IMAGE)" || { echo "set IMAGE to the pushed container image (see src/main/docker)" >&2; exit 1; }
	sed "s|IMAGE_PLACEHOLDER|$(IMAGE)|" deploy/knative/service.yaml | kubectl apply -f -
	kubectl apply -f deploy/knative/trigger.yaml

deploy-cloudrun: ## deploy deploy/cloudrun/service.yaml with gcloud; IMAGE and PROJECT_ID required
	@command -v gcloud >/dev/null || { echo "deploy-cloudrun needs the Google Cloud CLI (gcloud), which is not installed here." >&2; exit 1; }
	@test -n "$(IMAGE)" -a -n "$(PROJECT_ID)" || { echo "set IMAGE and PROJECT_ID" >&2; exit 1; }
	sed -e "s|IMAGE_PLACEHOLDER|$(IMAGE)|" -e "s|PROJECT_ID|$(PROJECT_ID)|" deploy/cloudrun/service.yaml > target/cloudrun-service.yaml
	gcloud run services replace target/cloudrun-service.yaml

clean: ## remove build output and local S3 data
	$(MVN) clean
