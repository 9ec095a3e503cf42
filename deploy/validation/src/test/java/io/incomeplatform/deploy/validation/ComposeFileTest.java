package io.incomeplatform.deploy.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/compose/compose.yaml, checked without Docker (these machines have no daemon): every service
 * is there, built from its own Dockerfile.jvm, configured like in Kubernetes and started in order.
 */
class ComposeFileTest {

    private static final Path COMPOSE = Repository.ROOT.resolve("deploy/compose/compose.yaml");
    private static final Map<String, String> ROLES = Map.of("ingestion-service", "income_ingestion",
            "mart-service", "income_mart", "dashboard-service", "income_dashboard");

    private static Map<String, Object> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void readTheComposeFile() throws IOException {
        try (Reader reader = Files.newBufferedReader(COMPOSE)) {
            Map<String, Object> compose = new Yaml().load(reader);
            services = (Map<String, Object>) compose.get("services");
        }
    }

    static List<String> platformServices() {
        return PlatformFacts.SERVICES;
    }

    @Test
    void shouldRunTheDataStoresTheSetupAndTheFourServices() {
        Set<String> expected = new java.util.HashSet<>(PlatformFacts.SERVICES);
        expected.addAll(List.of("postgres", "redis", "db-setup"));

        assertEquals(expected, services.keySet());
    }

    @Test
    void shouldSetUpTheDatabasesWithTheRepositorysScript() {
        List<String> volumes = list(service("db-setup").get("volumes"));

        assertEquals(List.of("../sql/init-databases.sql:/sql/init-databases.sql:ro"), volumes);
        assertTrue(Files.isRegularFile(COMPOSE.getParent().resolve("../sql/init-databases.sql").normalize()));
        assertTrue(list(service("db-setup").get("command")).contains("--file=/sql/init-databases.sql"));
    }

    @Test
    void shouldPinEveryImage() {
        List<Violation> violations = new ArrayList<>();
        services.forEach((name, definition) -> ContainerPolicy.checkImage(name, String.valueOf(
                ((Map<?, ?>) definition).get("image")), violations));

        assertEquals(List.of(), violations);
    }

    @ParameterizedTest
    @MethodSource("platformServices")
    void shouldBuildEachServiceFromItsOwnJvmDockerfileAndPublishItsPort(String name) {
        Map<String, Object> service = service(name);
        Map<String, Object> build = map(service.get("build"));
        Path context = COMPOSE.getParent().resolve(String.valueOf(build.get("context"))).normalize();
        int port = Repository.facts().services().get(name).httpPort();

        assertEquals(Repository.ROOT.resolve(name), context);
        assertEquals("income-platform/" + name + ":" + Repository.releaseTag(), service.get("image"));
        assertTrue(Files.isRegularFile(context.resolve(String.valueOf(build.get("dockerfile")))));
        assertEquals(List.of("127.0.0.1:" + port + ":" + port), list(service.get("ports")));
    }

    @ParameterizedTest
    @MethodSource("platformServices")
    void shouldLockDownEachServiceLikeKubernetesDoes(String name) {
        Map<String, Object> service = service(name);

        assertEquals(Boolean.TRUE, service.get("read_only"));
        assertEquals(List.of("ALL"), list(service.get("cap_drop")));
        assertEquals(List.of("/tmp"), list(service.get("tmpfs")));
        assertEquals(List.of("no-new-privileges:true"), list(service.get("security_opt")));
    }

    @ParameterizedTest
    @MethodSource("platformServices")
    void shouldConnectEachServiceWithItsOwnRoleOnceTheSetupHasRun(String name) {
        Map<String, Object> service = service(name);
        Map<String, Object> environment = map(service.get("environment"));
        Map<String, Object> dependsOn = map(service.get("depends_on"));

        assertEquals("redis://redis:6379", environment.get("REDIS_URL"));
        assertTrue(String.valueOf(environment.get("AUTH_JWT_SECRET")).startsWith("${AUTH_JWT_SECRET:-"));
        assertEquals("service_healthy", map(dependsOn.get("redis")).get("condition"));
        if (ROLES.containsKey(name)) {
            assertEquals(ROLES.get(name), environment.get("DB_USER"));
            assertEquals("postgres", environment.get("DB_HOST"));
            assertEquals("service_completed_successfully", map(dependsOn.get("db-setup")).get("condition"));
        } else {
            assertTrue(!environment.containsKey("DB_USER") && !dependsOn.containsKey("db-setup"), "realtime needs no database");
        }
    }

    @ParameterizedTest
    @MethodSource("platformServices")
    void shouldSetOnlyVariablesTheServiceReads(String name) {
        PlatformFacts.Service facts = Repository.facts().services().get(name);

        for (String variable : map(service(name).get("environment")).keySet()) {
            assertTrue(facts.reads(variable), name + " never reads " + variable);
        }
    }

    private static Map<String, Object> service(String name) {
        return map(services.get(name));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    private static List<String> list(Object value) {
        return ((List<?>) value).stream().map(String::valueOf).toList();
    }
}
