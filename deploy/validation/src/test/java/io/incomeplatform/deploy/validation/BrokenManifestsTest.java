package io.incomeplatform.deploy.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Feeds the validator deliberately broken manifests: a valid baseline with exactly one defect each,
 * and proves every defect is reported, under the right rule, with a message naming it.
 */
class BrokenManifestsTest {

    /** Fixed facts, so the expectations below do not move when a service changes its configuration. */
    private static final PlatformFacts FACTS = new PlatformFacts(
            Map.of("dashboard-service", new PlatformFacts.Service("dashboard-service", 8083, "${SHUTDOWN_TIMEOUT:25s}", null,
                    Set.of("REDIS_URL", "AUTH_JWT_SECRET", "SHUTDOWN_TIMEOUT"))),
            PlatformFacts.SECRET_NAME, Set.of("AUTH_JWT_SECRET"), Set.of());

    private final ManifestValidator validator = new ManifestValidator(FACTS);
    private List<Manifest> manifests;

    @BeforeEach
    void loadTheValidBaseline() throws IOException {
        manifests = Manifest.parseAll(Files.readString(
                Repository.MODULE.resolve("src/test/resources/fixtures/valid-platform.yaml")));
    }

    @Test
    void shouldAcceptTheValidBaseline() {
        List<Violation> violations = validator.validate(manifests);

        assertEquals(List.of(), violations, () -> ManifestValidator.report(violations).orElse(""));
    }

    // --- schema: what the Kubernetes API server itself would reject -------------------------------------

    @Test
    void shouldRejectAFieldTheApiDoesNotDefine() {
        container().put("imagePullPolicyy", "IfNotPresent");

        assertSingleViolation("schema", "imagePullPolicyy");
    }

    @Test
    void shouldRejectAContainerWithoutItsRequiredName() {
        container().remove("name");

        assertSingleViolation("schema", "name");
    }

    @Test
    void shouldRejectTextWhereTheApiWantsAnInteger() {
        deployment().with("spec").put("replicas", "two");

        assertSingleViolation("schema", "two");
    }

    @Test
    void shouldRejectAMalformedQuantity() {
        container().with("resources").with("limits").put("memory", "lots");

        assertSingleViolation("schema", "lots");
    }

    @Test
    void shouldRejectAnApiVersionKubernetesNoLongerServes() {
        budget().put("apiVersion", "policy/v1beta1");

        assertSingleViolation("schema", "no Kubernetes schema known for policy/v1beta1 PodDisruptionBudget");
    }

    @Test
    void shouldRejectAValueOutsideAnApiEnum() {
        container().put("imagePullPolicy", "Sometimes");

        assertSingleViolation("schema", "/spec/template/spec/containers/0/imagePullPolicy: 'Sometimes' is not one of "
                + "[Always, IfNotPresent, Never]");
    }

    // --- policy: what the platform requires of every container ------------------------------------------

    @Test
    void shouldRejectTheLatestTag() {
        container().put("image", "income-platform/dashboard-service:latest");

        assertSingleViolation("policy", "uses the moving tag latest");
    }

    @Test
    void shouldRejectAnUntaggedImage() {
        container().put("image", "registry.example.com:5000/income-platform/dashboard-service");

        assertSingleViolation("policy", "has no tag");
    }

    @Test
    void shouldRejectAContainerWithoutLivenessProbe() {
        container().remove("livenessProbe");

        assertSingleViolation("policy", "has no livenessProbe");
    }

    @Test
    void shouldRejectAReadinessProbeOffTheQuarkusHealthEndpoint() {
        container().with("readinessProbe").with("httpGet").put("path", "/health");

        assertSingleViolation("policy", "readinessProbe must GET /q/health/ready on port http");
    }

    @Test
    void shouldRejectAContainerWithoutMemoryLimit() {
        container().with("resources").with("limits").remove("memory");

        assertSingleViolation("policy", "has no limits.memory");
    }

    @Test
    void shouldRejectRequestsAboveLimits() {
        container().with("resources").with("requests").put("memory", "1Gi");

        // 1Gi = 1073741824 bytes > 512Mi = 536870912 bytes.
        assertSingleViolation("policy", "requests.memory 1Gi is above limits.memory 512Mi");
    }

    @Test
    void shouldRejectRunningAsRoot() {
        container().with("securityContext").put("runAsUser", 0);

        assertSingleViolation("policy", "runs as root");
    }

    @Test
    void shouldRejectAWritableRootFilesystem() {
        container().with("securityContext").put("readOnlyRootFilesystem", false);

        assertSingleViolation("policy", "readOnlyRootFilesystem must be true");
    }

    @Test
    void shouldRejectAddedCapabilities() {
        container().with("securityContext").with("capabilities").putArray("add").add("NET_ADMIN");

        assertSingleViolation("policy", "adds capabilities");
    }

    @Test
    void shouldRejectCapabilitiesThatAreNotDropped() {
        container().with("securityContext").remove("capabilities");

        assertSingleViolation("policy", "must drop ALL capabilities");
    }

    @Test
    void shouldRejectPrivilegeEscalation() {
        container().with("securityContext").put("allowPrivilegeEscalation", true);

        assertSingleViolation("policy", "allowPrivilegeEscalation must be false");
    }

    @Test
    void shouldRejectAVariableTheServiceNeverReads() {
        ((ObjectNode) container().at("/env/0")).put("name", "REDIS_ULR");

        assertSingleViolation("policy", "sets REDIS_ULR, which dashboard-service never reads");
    }

    @Test
    void shouldRejectAGracePeriodShorterThanPreStopPlusShutdown() {
        deployment().with("spec").with("template").with("spec").put("terminationGracePeriodSeconds", 20);

        // dashboard: 5 s preStop + 25 s quarkus.shutdown.timeout + 5 s to exit = 35 s > 20 s.
        assertSingleViolation("policy", "terminationGracePeriodSeconds 20 is shorter than preStop 5 s "
                + "+ Quarkus shutdown 25 s + 5 s to exit = 35 s");
    }

    @Test
    void shouldCountAShutdownTimeoutTheDeploymentRaises() {
        ArrayNode env = container().withArray("env");
        env.addObject().put("name", "SHUTDOWN_TIMEOUT").put("value", "40s");

        // 5 s preStop + 40 s shutdown (the env value beats the 25 s default) + 5 s to exit = 50 s > 35 s.
        assertSingleViolation("policy", "terminationGracePeriodSeconds 35 is shorter than preStop 5 s "
                + "+ Quarkus shutdown 40 s + 5 s to exit = 50 s");
    }

    @Test
    void shouldRejectAServicePortOtherThanItsQuarkusHttpPort() {
        ((ObjectNode) container().withArray("ports").get(0)).put("containerPort", 8080);

        assertTrue(validator.validate(manifests).stream().anyMatch(v -> v.rule().equals("policy")
                && v.detail().contains("must expose a port named http on 8083")));
    }

    // --- reference: objects that do not fit together -----------------------------------------------------

    @Test
    void shouldRejectAServiceThatSelectsNoPod() {
        object("Service").with("spec").with("selector").put("app.kubernetes.io/name", "dashbaord-service");

        assertSingleViolation("reference", "matches no pod");
    }

    @Test
    void shouldRejectAnIngressToAMissingService() {
        ((ObjectNode) object("Ingress").at("/spec/rules/0/http/paths/0/backend/service")).put("name", "api-service");

        assertSingleViolation("reference", "goes to Service api-service, which does not exist");
    }

    @Test
    void shouldRejectASecretKeyTheExampleDoesNotDocument() {
        ((ObjectNode) container().at("/env/1/valueFrom/secretKeyRef")).put("key", "JWT_SECRET");

        assertSingleViolation("reference", "reads key JWT_SECRET of income-credentials");
    }

    @Test
    void shouldRejectAConfigMapKeyThatDoesNotExist() {
        ((ObjectNode) container().at("/env/0/valueFrom/configMapKeyRef")).put("key", "REDIS_HOST");

        assertSingleViolation("reference", "reads key REDIS_HOST that ConfigMap income-config lacks");
    }

    @Test
    void shouldRejectADisruptionBudgetThatBlocksEveryDrain() {
        budget().with("spec").put("minAvailable", 2);

        // minAvailable 2 with the autoscaler's minimum of 2 replicas: no pod may ever be evicted.
        assertSingleViolation("reference", "minAvailable 2 with as few as 2 replica(s) of dashboard-service");
    }

    @Test
    void shouldRejectANetworkPolicyThatNamesAPodThatDoesNotExist() {
        ArrayNode values = (ArrayNode) object("NetworkPolicy").at("/spec/podSelector/matchExpressions/0/values");
        values.add("dashbaord-service");

        assertSingleViolation("reference", "lists app.kubernetes.io/name=dashbaord-service, which no pod has");
    }

    @Test
    void shouldRejectAnAutoscalerOfAMissingDeployment() {
        ((ObjectNode) object("HorizontalPodAutoscaler").at("/spec/scaleTargetRef")).put("name", "dashboard");

        assertSingleViolation("reference", "scales Deployment dashboard, which does not exist");
    }

    private void assertSingleViolation(String rule, String detail) {
        List<Violation> violations = validator.validate(manifests);

        assertEquals(1, violations.size(), () -> ManifestValidator.report(violations).orElse("no violation"));
        assertEquals(rule, violations.getFirst().rule(), violations.getFirst()::toString);
        assertTrue(violations.getFirst().detail().contains(detail), violations.getFirst()::toString);
    }

    private ObjectNode object(String kind) {
        return manifests.stream().filter(m -> m.kind().equals(kind)).findFirst().orElseThrow().body();
    }

    private ObjectNode deployment() {
        return object("Deployment");
    }

    private ObjectNode budget() {
        return object("PodDisruptionBudget");
    }

    private ObjectNode container() {
        JsonNode container = deployment().at("/spec/template/spec/containers/0");
        return (ObjectNode) container;
    }

}
