package io.incomeplatform.deploy.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.custom.Quantity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every pod of the platform must look like (the values are explained in deploy/README.md):
 * pinned images, requests and limits, probes on long-running containers, a locked-down security
 * context that meets the "restricted" Pod Security Standard, and for the four services the
 * /q/health probes, their own HTTP port and a grace period longer than preStop plus shutdown.
 */
public final class ContainerPolicy {

    /** Time the JVM needs to exit after Quarkus has finished its graceful shutdown. */
    static final int EXIT_MARGIN_SECONDS = 5;

    private static final Set<String> ALLOWED_SECCOMP = Set.of("RuntimeDefault", "Localhost");

    private final PlatformFacts facts;

    public ContainerPolicy(PlatformFacts facts) {
        this.facts = facts;
    }

    public List<Violation> check(PodTemplate pod) {
        List<Violation> violations = new ArrayList<>();
        String owner = pod.owner().id();
        JsonNode spec = pod.spec();
        for (String hostField : List.of("hostNetwork", "hostPID", "hostIPC")) {
            if (spec.path(hostField).asBoolean(false)) {
                violations.add(policy(owner, hostField + " shares the node's namespaces"));
            }
        }
        for (JsonNode volume : spec.path("volumes")) {
            if (volume.has("hostPath")) {
                violations.add(policy(owner, "volume " + volume.path("name").asText() + " mounts a hostPath"));
            }
        }
        if (spec.path("automountServiceAccountToken").asBoolean(true)) {
            violations.add(policy(owner, "automountServiceAccountToken must be false: no pod here calls the Kubernetes API"));
        }
        for (JsonNode container : pod.initContainers()) {
            checkContainer(pod, container, false, violations);
        }
        for (JsonNode container : pod.containers()) {
            checkContainer(pod, container, !pod.runsToCompletion(), violations);
        }
        if (pod.owner().kind().equals("Deployment") && facts.services().containsKey(pod.owner().name())) {
            checkPlatformService(pod, facts.services().get(pod.owner().name()), violations);
        }
        return violations;
    }

    private void checkContainer(PodTemplate pod, JsonNode container, boolean longRunning, List<Violation> violations) {
        String where = pod.owner().id() + " container " + container.path("name").asText("?");
        checkImage(where, container.path("image").asText(""), violations);
        checkResources(where, container.path("resources"), violations);
        if (longRunning) {
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                if (!container.has(probe)) {
                    violations.add(policy(where, "has no " + probe));
                }
            }
        }
        checkSecurityContext(where, pod.spec().path("securityContext"), container.path("securityContext"), violations);
    }

    static void checkImage(String where, String image, List<Violation> violations) {
        if (image.isEmpty()) {
            violations.add(policy(where, "has no image"));
            return;
        }
        if (image.contains("@sha256:")) {
            return;
        }
        int lastSlash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon <= lastSlash) {
            violations.add(policy(where, "image " + image + " has no tag: pin a version"));
        } else if (image.substring(colon + 1).equalsIgnoreCase("latest")) {
            violations.add(policy(where, "image " + image + " uses the moving tag latest: pin a version"));
        }
    }

    private static void checkResources(String where, JsonNode resources, List<Violation> violations) {
        for (String kind : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                if (!resources.path(kind).hasNonNull(resource)) {
                    violations.add(policy(where, "has no " + kind + "." + resource));
                }
            }
        }
        for (String resource : List.of("cpu", "memory")) {
            JsonNode request = resources.path("requests").path(resource);
            JsonNode limit = resources.path("limits").path(resource);
            if (request.isValueNode() && limit.isValueNode()) {
                try {
                    if (new Quantity(request.asText()).getNumber().compareTo(new Quantity(limit.asText()).getNumber()) > 0) {
                        violations.add(policy(where, "requests." + resource + " " + request.asText()
                                + " is above limits." + resource + " " + limit.asText()));
                    }
                } catch (RuntimeException e) {
                    violations.add(policy(where, resource + " is not a valid quantity: " + e.getMessage()));
                }
            }
        }
    }

    private static void checkSecurityContext(String where, JsonNode podContext, JsonNode context,
                                             List<Violation> violations) {
        if (!effective(podContext, context, "runAsNonRoot").asBoolean(false)) {
            violations.add(policy(where, "runAsNonRoot is not true"));
        }
        if (effective(podContext, context, "runAsUser").asInt(-1) == 0) {
            violations.add(policy(where, "runs as root (runAsUser 0)"));
        }
        if (context.path("privileged").asBoolean(false)) {
            violations.add(policy(where, "is privileged"));
        }
        if (!context.path("allowPrivilegeEscalation").isBoolean() || context.path("allowPrivilegeEscalation").asBoolean()) {
            violations.add(policy(where, "allowPrivilegeEscalation must be false"));
        }
        if (!context.path("readOnlyRootFilesystem").asBoolean(false)) {
            violations.add(policy(where, "readOnlyRootFilesystem must be true (mount an emptyDir where it writes)"));
        }
        boolean dropsAll = false;
        for (JsonNode capability : context.path("capabilities").path("drop")) {
            dropsAll |= capability.asText().equals("ALL");
        }
        if (!dropsAll) {
            violations.add(policy(where, "must drop ALL capabilities"));
        }
        if (!context.path("capabilities").path("add").isEmpty()) {
            violations.add(policy(where, "adds capabilities " + context.path("capabilities").path("add")));
        }
        String seccomp = effective(podContext, context, "seccompProfile").path("type").asText("");
        if (!ALLOWED_SECCOMP.contains(seccomp)) {
            violations.add(policy(where, "seccompProfile must be RuntimeDefault (or Localhost), was '" + seccomp + "'"));
        }
    }

    private static void checkPlatformService(PodTemplate pod, PlatformFacts.Service service, List<Violation> violations) {
        String owner = pod.owner().id();
        List<JsonNode> containers = pod.containers();
        if (containers.size() != 1 || !containers.getFirst().path("name").asText().equals(service.name())) {
            violations.add(policy(owner, "must run exactly one container named " + service.name()));
            return;
        }
        JsonNode container = containers.getFirst();
        String where = owner + " container " + service.name();
        boolean portMatches = false;
        for (JsonNode port : container.path("ports")) {
            portMatches |= port.path("name").asText().equals("http") && port.path("containerPort").asInt() == service.httpPort();
        }
        if (!portMatches) {
            violations.add(policy(where, "must expose a port named http on " + service.httpPort()
                    + " (quarkus.http.port in its application.properties)"));
        }
        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            if (!service.reads(name)) {
                violations.add(policy(where, "sets " + name + ", which " + service.name()
                        + " never reads (not in its application.properties): a typo, or a setting that went away"));
            }
        }
        checkHealthProbe(where, container, "startupProbe", "/q/health/started", violations);
        checkHealthProbe(where, container, "readinessProbe", "/q/health/ready", violations);
        checkHealthProbe(where, container, "livenessProbe", "/q/health/live", violations);

        JsonNode preStop = container.path("lifecycle").path("preStop");
        int preStopSeconds = preStop.path("sleep").path("seconds").asInt(0);
        if (preStop.isMissingNode()) {
            violations.add(policy(where, "needs a preStop hook so endpoints are removed before SIGTERM"));
        }
        int grace = pod.spec().path("terminationGracePeriodSeconds").asInt(30);
        int shutdown = service.shutdownSeconds(literalEnv(container));
        int needed = preStopSeconds + shutdown + EXIT_MARGIN_SECONDS;
        if (grace < needed) {
            violations.add(policy(owner, "terminationGracePeriodSeconds " + grace + " is shorter than preStop "
                    + preStopSeconds + " s + Quarkus shutdown " + shutdown + " s + "
                    + EXIT_MARGIN_SECONDS + " s to exit = " + needed + " s"));
        }
    }

    private static void checkHealthProbe(String where, JsonNode container, String probe, String path,
                                         List<Violation> violations) {
        JsonNode httpGet = container.path(probe).path("httpGet");
        if (container.has(probe) && (!httpGet.path("path").asText().equals(path)
                || !httpGet.path("port").asText().equals("http"))) {
            violations.add(policy(where, probe + " must GET " + path + " on port http"));
        }
    }

    private static Map<String, String> literalEnv(JsonNode container) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode variable : container.path("env")) {
            if (variable.has("value")) {
                env.put(variable.path("name").asText(), variable.path("value").asText());
            }
        }
        return env;
    }

    /** A container's setting, or the pod's when the container does not set it. */
    private static JsonNode effective(JsonNode podContext, JsonNode context, String field) {
        return context.has(field) ? context.path(field) : podContext.path(field);
    }

    private static Violation policy(String where, String detail) {
        return new Violation(where, "policy", detail);
    }
}
