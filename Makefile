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

.PHONY: help build test run demo native native-sources clean check-jdk print-jdk

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

print-jdk:
	@echo "$(JDK25)"

check-jdk:
	@if [ -z "$(JDK25)" ]; then echo "No JDK 25 found: set JAVA_HOME to a JDK 25 (Temurin 25 works)." >&2; exit 1; fi

build: check-jdk ## compile, package the function (target/quarkus-app) and the local stack
	$(MVN) package -DskipTests

test: check-jdk ## all tests: unit + @QuarkusTest on S3Proxy and the Gemini stand-in, then the native-sources check
	$(MVN) verify
	$(MAKE) --no-print-directory native-sources
	$(MVN) surefire:test -Dtest=NativeSourcesCheck -Dnative.sources.dir=target/native-sources -Dsurefire.failIfNoSpecifiedTests=true

demo: build ## the main job: local S3 + stand-in (no GEMINI_API_KEY) → one prompt → key and stored file
	$(JAVA) -cp "target/test-classes:$$(cat $(LOCALSTACK)/test-classpath.txt)" dev.imagefn.demo.LocalStack demo \
	  "$${PROMPT:-A watercolor lighthouse at dusk, warm light in the windows, gulls overhead}"

run: build ## serve the function on the same local stack until Ctrl-C (http://127.0.0.1:8080/v1/images)
	$(JAVA) -cp "target/test-classes:$$(cat $(LOCALSTACK)/test-classpath.txt)" dev.imagefn.demo.LocalStack run

native-sources: check-jdk ## generate the native-image sources and arguments (no GraalVM needed)
	$(MVN) package -DskipTests -Dnative -Dquarkus.native.sources-only=true -Dquarkus.package.jar.enabled=true

native: check-jdk ## native executable: GraalVM 25 locally, or NATIVE_CONTAINER=1 for a container build
	$(MVN) package -DskipTests -Dnative $(if $(NATIVE_CONTAINER),-Dquarkus.native.container-build=true)

clean: ## remove build output and local S3 data
	$(MVN) clean
