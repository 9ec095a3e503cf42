package io.incomeplatform.deploy.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Renders every overlay with kubectl kustomize and holds the result to the schemas, policies and design. */
class KustomizeOverlaysTest {

    private static final Map<String, List<Manifest>> RENDERED = new ConcurrentHashMap<>();
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace");

    @BeforeAll
    static void kubectlIsInstalled() {
        Repository.requireKubectl();
    }

    private static List<Manifest> render(String overlay) {
        return RENDERED.computeIfAbsent(overlay,
                name -> Manifest.parseAll(Tools.kustomize(Repository.KUBERNETES.resolve("overlays").resolve(name))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldPassEverySchemaPolicyAndReferenceCheck(String overlay) {
        List<Violation> violations = new ManifestValidator(Repository.facts()).validate(render(overlay));

        assertEquals(List.of(), violations, () -> overlay + ": " + ManifestValidator.report(violations).orElse(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldPutEveryNamespacedObjectInTheOverlaysNamespace(String overlay) {
        String namespace = overlay.equals("dev") ? "income-dev" : "income";

        for (Manifest manifest : render(overlay)) {
            if (!CLUSTER_SCOPED.contains(manifest.kind())) {
                assertEquals(namespace, manifest.namespace(), manifest.id());
            }
        }
        assertTrue(render(overlay).stream().anyMatch(m -> m.kind().equals("Namespace") && m.name().equals(namespace)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldDeployTheFourServicesEachWithServiceAndDisruptionBudget(String overlay) {
        for (String service : PlatformFacts.SERVICES) {
            for (String kind : List.of("Deployment", "Service", "PodDisruptionBudget")) {
                assertEquals(1, count(overlay, kind, service), kind + " " + service + " in " + overlay);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldGiveEachServiceItsOwnRoleAndTheCredentialsFromTheSecret(String overlay) {
        Map<String, String> roles = Map.of("ingestion-service", "income_ingestion", "mart-service", "income_mart",
                "dashboard-service", "income_dashboard");

        for (String service : PlatformFacts.SERVICES) {
            Map<String, JsonNode> env = new java.util.HashMap<>();
            deployment(overlay, service).at("/spec/template/spec/containers/0/env")
                    .forEach(variable -> env.put(variable.path("name").asText(), variable));
            assertEquals("income-credentials", env.get("AUTH_JWT_SECRET").at("/valueFrom/secretKeyRef/name").asText(), service);
            if (roles.containsKey(service)) {
                assertEquals(roles.get(service), env.get("DB_USER").path("value").asText(), service);
                assertEquals("income-credentials", env.get("DB_PASSWORD").at("/valueFrom/secretKeyRef/name").asText());
            } else {
                assertFalse(env.containsKey("DB_USER"), "realtime-service needs no database");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldTagTheServiceImagesWithTheProjectsRelease(String overlay) {
        for (String service : PlatformFacts.SERVICES) {
            String image = deployment(overlay, service).at("/spec/template/spec/containers/0/image").asText();
            assertTrue(image.endsWith("/" + service + ":" + Repository.releaseTag()), image);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldAutoscaleOnlyDashboardAndRealtime(String overlay) {
        Set<String> scaled = render(overlay).stream()
                .filter(m -> m.kind().equals("HorizontalPodAutoscaler"))
                .map(m -> m.body().path("spec").path("scaleTargetRef").path("name").asText())
                .collect(Collectors.toSet());

        assertEquals(Set.of("dashboard-service", "realtime-service"), scaled);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldScheduleNoCronJobBecauseMartSchedulesAreLeaderSafe(String overlay) {
        assertTrue(render(overlay).stream().noneMatch(m -> m.kind().equals("CronJob")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldRouteApiToDashboardAndWebSocketsToRealtimeWithAnHourOfIdleTime(String overlay) {
        Map<String, JsonNode> ingressByPath = new java.util.HashMap<>();
        for (Manifest manifest : render(overlay)) {
            if (manifest.kind().equals("Ingress")) {
                for (JsonNode path : manifest.body().at("/spec/rules/0/http/paths")) {
                    ingressByPath.put(path.path("path").asText(), manifest.body());
                    String expected = path.path("path").asText().equals("/api") ? "dashboard-service" : "realtime-service";
                    assertEquals(expected, path.at("/backend/service/name").asText());
                }
            }
        }
        assertEquals(Set.of("/api", "/ws"), ingressByPath.keySet());
        // 3600 s: an hour of idle WebSocket before the proxy cuts it, against 60 s for plain requests.
        assertEquals("3600", ingressByPath.get("/ws").at("/metadata/annotations")
                .path("nginx.ingress.kubernetes.io/proxy-read-timeout").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldLetRealtimeCloseItsWebSocketsBeforeTheGracePeriodEnds(String overlay) {
        JsonNode pod = deployment(overlay, "realtime-service").at("/spec/template/spec");
        int shutdown = Repository.facts().services().get("realtime-service").shutdownSeconds(Map.of());

        // A 10 s preStop lets the ingress stop sending upgrades; then Quarkus closes every socket with 1001
        // and shuts down; 5 s more for the JVM to exit must still fit in the 45 s grace period.
        assertEquals(10, pod.at("/containers/0/lifecycle/preStop/sleep/seconds").asInt());
        assertEquals(45, pod.path("terminationGracePeriodSeconds").asInt());
        assertTrue(10 + shutdown + 5 <= 45, "realtime's shutdown now takes " + shutdown + " s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldRunTheSetupJobWithTheRepositorysSqlScript(String overlay) throws IOException {
        Manifest job = render(overlay).stream().filter(m -> m.kind().equals("Job")).findFirst().orElseThrow();
        String configMapName = job.body().at("/spec/template/spec/volumes/0/configMap/name").asText();
        Manifest configMap = render(overlay).stream()
                .filter(m -> m.kind().equals("ConfigMap") && m.name().equals(configMapName)).findFirst().orElseThrow();

        assertEquals(Files.readString(Repository.ROOT.resolve("deploy/sql/init-databases.sql")),
                configMap.body().at("/data/init-databases.sql").asText());
        assertTrue(job.body().at("/spec/template/spec/containers/0/args").toString()
                .contains("--file=/sql/init-databases.sql"));
    }

    @Test
    void shouldRunPostgresAndRedisInsideTheClusterOnlyInDev() {
        assertEquals(1, count("dev", "StatefulSet", "postgres"));
        assertEquals(1, count("dev", "StatefulSet", "redis"));
        assertTrue(render("prod").stream().noneMatch(m -> m.kind().equals("StatefulSet")));
        assertFalse(configValue("prod", "DB_HOST").equals("postgres"), "prod points at a managed Postgres");
    }

    @Test
    void shouldLetOnlyTheServicesReachTheDevDataStores() {
        Map<String, Set<String>> clients = render("dev").stream()
                .filter(m -> m.kind().equals("NetworkPolicy") && m.name().startsWith("allow-services-to-"))
                .collect(Collectors.toMap(Manifest::name, m -> {
                    Set<String> names = new java.util.TreeSet<>();
                    m.body().at("/spec/ingress/0/from/0/podSelector/matchExpressions/0/values")
                            .forEach(value -> names.add(value.asText()));
                    return names;
                }));

        assertEquals(Set.of("ingestion-service", "mart-service", "dashboard-service", "income-db-setup"),
                clients.get("allow-services-to-postgres"));
        assertEquals(Set.of("ingestion-service", "mart-service", "dashboard-service", "realtime-service"),
                clients.get("allow-services-to-redis"));
    }

    @Test
    void shouldNameEveryDefectOfTheBrokenOverlay() {
        List<Manifest> broken = Manifest.parseAll(Tools.kustomize(Repository.MODULE.resolve("src/test/resources/broken-overlay")));

        List<String> violations = new ManifestValidator(Repository.facts()).validate(broken).stream()
                .map(Violation::toString).toList();

        assertEquals(4, violations.size(), () -> String.join("\n", violations));
        assertTrue(violations.stream().anyMatch(v -> v.contains("Deployment/income-dev/ingestion-service [schema]")
                && v.contains("livenesProbe")), () -> String.join("\n", violations));
        assertTrue(violations.stream().anyMatch(v -> v.contains("realtime-service") && v.contains("has no livenessProbe")));
        assertTrue(violations.stream().anyMatch(v -> v.contains("realtime-service") && v.contains("latest")));
        assertTrue(violations.stream().anyMatch(v -> v.contains("realtime-service") && v.contains("runs as root")));
    }

    private static long count(String overlay, String kind, String name) {
        return render(overlay).stream().filter(m -> m.kind().equals(kind) && m.name().equals(name)).count();
    }

    private static JsonNode deployment(String overlay, String name) {
        return render(overlay).stream().filter(m -> m.kind().equals("Deployment") && m.name().equals(name))
                .findFirst().orElseThrow().body();
    }

    private static String configValue(String overlay, String key) {
        // Generated with a hash suffix, so that a change rolls the pods.
        return render(overlay).stream().filter(m -> m.kind().equals("ConfigMap") && m.name().startsWith("income-config-"))
                .findFirst().orElseThrow().body().path("data").path(key).asText();
    }
}
