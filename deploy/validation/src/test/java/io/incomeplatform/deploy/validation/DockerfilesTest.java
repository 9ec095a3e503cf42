package io.incomeplatform.deploy.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;

/** The images' Dockerfiles: pinned bases, non-root users, only what the build produces, and a clean lint. */
class DockerfilesTest {

    private static final String LINTER = "dockerfile-utils";
    private static final String LINTER_INSTALL = "npm install --global dockerfile-utils@0.16.3";

    static List<String> services() {
        return PlatformFacts.SERVICES;
    }

    private static Path dockerfile(String service, String variant) {
        return Repository.ROOT.resolve(service).resolve("src/main/docker/Dockerfile." + variant);
    }

    @ParameterizedTest
    @MethodSource("services")
    void shouldBuildTheJvmImageOnlyFromWhatPackageProduces(String service) throws IOException {
        Dockerfile dockerfile = Dockerfile.read(dockerfile(service, "jvm"));
        Path module = Repository.ROOT.resolve(service);
        Path quarkusApp = module.resolve("target/quarkus-app");

        assertEquals(1, dockerfile.all("FROM").size(), "one stage: the jar is built by Maven, not in the image");
        assertPinned(dockerfile.all("FROM").getFirst().operands().getFirst());
        List<Dockerfile.Instruction> copies = dockerfile.all("COPY");
        assertFalse(copies.isEmpty());
        for (Dockerfile.Instruction copy : copies) {
            List<String> operands = copy.operands();
            for (String source : operands.subList(0, operands.size() - 1)) {
                assertTrue(source.startsWith("target/quarkus-app/"), service + " copies " + source
                        + ", which is not part of the fast-jar that ./mvnw package writes to target/quarkus-app/");
                if (Files.isDirectory(quarkusApp)) {
                    assertFalse(matching(module, source).isEmpty(), service + ": " + source + " is not in the built "
                            + "target/quarkus-app/");
                }
            }
        }
        if (!Files.isDirectory(quarkusApp)) {
            System.err.println("NOTE: " + service + " is not packaged, so the COPY sources were checked by path only");
        }
        assertRunsAsNonRoot(dockerfile);
        assertExposesItsHttpPort(service, dockerfile);
        assertTrue(dockerfile.all("ENV").stream().anyMatch(env -> env.arguments().contains("/deployments/quarkus-run.jar")));
    }

    @ParameterizedTest
    @MethodSource("services")
    void shouldBuildTheNativeImageWithTheNativeProfileOnAMinimalNonRootRuntime(String service) throws IOException {
        Dockerfile dockerfile = Dockerfile.read(dockerfile(service, "native"));
        List<Dockerfile.Instruction> stages = dockerfile.all("FROM");

        assertEquals(2, stages.size(), "a builder stage and a runtime stage");
        stages.forEach(stage -> assertPinned(stage.operands().getFirst()));
        assertTrue(stages.get(0).arguments().startsWith("quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:"),
                "Quarkus's builder image compiles the executable");
        assertTrue(stages.get(1).arguments().startsWith("quay.io/quarkus/ubi9-quarkus-micro-image:"),
                "the minimal runtime image");
        assertTrue(dockerfile.all("RUN").stream().anyMatch(run -> run.arguments().contains("-Pnative")
                && run.arguments().contains("-pl " + service)), "builds this service with the native profile");
        Dockerfile runtime = dockerfile.finalStage();
        List<Dockerfile.Instruction> copies = runtime.all("COPY");
        assertEquals(1, copies.size());
        assertTrue(copies.getFirst().hasFlag("from=build"));
        assertTrue(copies.getFirst().operands().getFirst().equals("/code/" + service + "/target/*-runner"),
                "the runtime image holds the executable alone");
        assertRunsAsNonRoot(runtime);
        assertExposesItsHttpPort(service, runtime);
    }

    @Test
    void shouldCompileNativeThroughTheRootPomsNativeProfile() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(Repository.ROOT.resolve("pom.xml").toFile());
        XPath xpath = XPathFactory.newInstance().newXPath();
        String profile = "/*[local-name()='project']/*[local-name()='profiles']/*[local-name()='profile']"
                + "[*[local-name()='id']='native']/*[local-name()='properties']/*[local-name()='%s']";

        // Every service inherits it: -Pnative in Dockerfile.native builds a native executable instead of the jar.
        assertEquals("true", xpath.evaluate(profile.formatted("quarkus.native.enabled"), pom));
        assertEquals("false", xpath.evaluate(profile.formatted("quarkus.package.jar.enabled"), pom));
    }

    @ParameterizedTest
    @MethodSource("services")
    void shouldPassTheDockerfileLinter(String service) {
        Repository.requireTool(LINTER, LINTER_INSTALL, false);

        for (String variant : List.of("jvm", "native")) {
            Tools.Result lint = lint(dockerfile(service, variant));
            assertEquals("", (lint.stdout() + lint.stderr()).strip(), service + " Dockerfile." + variant);
            assertTrue(lint.succeeded());
        }
    }

    @Test
    void shouldMakeTheLinterRejectABrokenDockerfile() {
        Repository.requireTool(LINTER, LINTER_INSTALL, false);

        Tools.Result lint = lint(Repository.MODULE.resolve("src/test/resources/fixtures/broken.Dockerfile"));

        assertNotEquals(0, lint.exitCode());
        assertTrue(lint.stdout().contains("Unknown instruction: COPYY"), lint.stdout());
    }

    private static Tools.Result lint(Path file) {
        return Tools.run(List.of(LINTER, "lint", file.toString()), Repository.ROOT, Duration.ofSeconds(60));
    }

    private static void assertPinned(String image) {
        List<Violation> violations = new ArrayList<>();
        ContainerPolicy.checkImage("FROM", image, violations);
        assertEquals(List.of(), violations);
    }

    private static void assertRunsAsNonRoot(Dockerfile stage) {
        List<Dockerfile.Instruction> users = stage.all("USER");
        assertFalse(users.isEmpty(), "no USER: the image would run as root");
        String user = users.getLast().operands().getFirst().split(":")[0];
        assertTrue(user.matches("[1-9][0-9]*"), "the last USER must be a numeric non-root id (runAsNonRoot checks it): " + user);
    }

    private static void assertExposesItsHttpPort(String service, Dockerfile stage) {
        int port = Repository.facts().services().get(service).httpPort();
        assertEquals(List.of(String.valueOf(port)), stage.all("EXPOSE").stream().map(Dockerfile.Instruction::arguments).toList());
    }

    private static List<Path> matching(Path module, String source) throws IOException {
        String pattern = source.endsWith("/") ? source.substring(0, source.length() - 1) : source;
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        try (Stream<Path> files = Files.walk(module.resolve("target/quarkus-app"), 1)) {
            return files.map(module::relativize).filter(matcher::matches).toList();
        }
    }
}
