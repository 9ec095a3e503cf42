package io.incomeplatform.deploy.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks that the objects of one rendering fit together, which no schema can see: a Service,
 * PodDisruptionBudget or NetworkPolicy that selects no pod, a port name nobody declares, an Ingress
 * or autoscaler pointing at nothing, a ConfigMap key that does not exist, a Secret key that the
 * documented example does not list, a disruption budget that blocks every node drain.
 */
public final class ReferenceChecker {

    private final PlatformFacts facts;

    public ReferenceChecker(PlatformFacts facts) {
        this.facts = facts;
    }

    public List<Violation> check(List<Manifest> manifests) {
        List<PodTemplate> pods = manifests.stream().map(PodTemplate::of).flatMap(Optional::stream).toList();
        List<Violation> violations = new ArrayList<>();
        for (Manifest manifest : manifests) {
            switch (manifest.kind()) {
                case "Service" -> checkService(manifest, pods, violations);
                case "Ingress" -> checkIngress(manifest, manifests, violations);
                case "HorizontalPodAutoscaler" -> checkAutoscaler(manifest, manifests, violations);
                case "PodDisruptionBudget" -> checkDisruptionBudget(manifest, manifests, pods, violations);
                case "NetworkPolicy" -> checkNetworkPolicy(manifest, pods, violations);
                default -> { }
            }
        }
        for (PodTemplate pod : pods) {
            checkConfigurationReferences(pod, manifests, violations);
        }
        return violations;
    }

    private static void checkService(Manifest service, List<PodTemplate> pods, List<Violation> violations) {
        JsonNode selector = service.body().path("spec").path("selector");
        List<PodTemplate> selected = pods.stream()
                .filter(pod -> Objects.equals(pod.namespace(), service.namespace()))
                .filter(pod -> LabelSelectors.mapMatches(selector, pod.labels()))
                .toList();
        if (selected.isEmpty()) {
            violations.add(reference(service, "selector " + selector + " matches no pod"));
            return;
        }
        for (JsonNode port : service.body().path("spec").path("ports")) {
            JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
            if (selected.stream().noneMatch(pod -> pod.exposesPort(target))) {
                violations.add(reference(service, "targetPort " + target.asText() + " is not a port of the selected pods"));
            }
        }
    }

    private static void checkIngress(Manifest ingress, List<Manifest> manifests, List<Violation> violations) {
        for (JsonNode rule : ingress.body().path("spec").path("rules")) {
            for (JsonNode path : rule.path("http").path("paths")) {
                JsonNode backend = path.path("backend").path("service");
                String name = backend.path("name").asText();
                Optional<Manifest> service = find(manifests, "Service", ingress.namespace(), name);
                if (service.isEmpty()) {
                    violations.add(reference(ingress, "path " + path.path("path").asText() + " goes to Service " + name
                            + ", which does not exist"));
                    continue;
                }
                JsonNode wanted = backend.path("port");
                boolean found = false;
                for (JsonNode port : service.get().body().path("spec").path("ports")) {
                    found |= wanted.has("name") ? wanted.path("name").asText().equals(port.path("name").asText())
                            : wanted.path("number").asInt() == port.path("port").asInt();
                }
                if (!found) {
                    violations.add(reference(ingress, "Service " + name + " has no port " + wanted));
                }
            }
        }
    }

    private static void checkAutoscaler(Manifest autoscaler, List<Manifest> manifests, List<Violation> violations) {
        JsonNode target = autoscaler.body().path("spec").path("scaleTargetRef");
        Optional<Manifest> workload = find(manifests, target.path("kind").asText(), autoscaler.namespace(),
                target.path("name").asText());
        if (workload.isEmpty()) {
            violations.add(reference(autoscaler, "scales " + target.path("kind").asText() + " "
                    + target.path("name").asText() + ", which does not exist"));
            return;
        }
        PodTemplate.of(workload.get()).ifPresent(pod -> pod.containers().forEach(container -> {
            if (!container.path("resources").path("requests").has("cpu")) {
                violations.add(reference(autoscaler, "container " + container.path("name").asText()
                        + " has no CPU request, so CPU utilisation cannot be computed"));
            }
        }));
    }

    private static void checkDisruptionBudget(Manifest budget, List<Manifest> manifests, List<PodTemplate> pods,
                                              List<Violation> violations) {
        JsonNode spec = budget.body().path("spec");
        List<PodTemplate> selected = pods.stream()
                .filter(pod -> Objects.equals(pod.namespace(), budget.namespace()))
                .filter(pod -> LabelSelectors.matches(spec.path("selector"), pod.labels()))
                .toList();
        if (selected.isEmpty() || LabelSelectors.isEmpty(spec.path("selector"))) {
            violations.add(reference(budget, "selector matches no workload (or every pod)"));
            return;
        }
        if (spec.has("maxUnavailable") && spec.path("maxUnavailable").asText().matches("0%?")) {
            violations.add(reference(budget, "maxUnavailable 0 blocks every node drain"));
        }
        if (spec.path("minAvailable").canConvertToInt() && spec.path("minAvailable").isInt()) {
            int minAvailable = spec.path("minAvailable").asInt();
            for (PodTemplate pod : selected) {
                int replicas = fewestReplicas(pod.owner(), manifests);
                if (minAvailable >= replicas) {
                    violations.add(reference(budget, "minAvailable " + minAvailable + " with as few as " + replicas
                            + " replica(s) of " + pod.owner().name() + " blocks every node drain"));
                }
            }
        }
    }

    /** The autoscaler's minimum when one scales the workload, else its replica count. */
    private static int fewestReplicas(Manifest workload, List<Manifest> manifests) {
        for (Manifest manifest : manifests) {
            JsonNode target = manifest.body().path("spec").path("scaleTargetRef");
            if (manifest.kind().equals("HorizontalPodAutoscaler") && Objects.equals(manifest.namespace(), workload.namespace())
                    && target.path("kind").asText().equals(workload.kind())
                    && target.path("name").asText().equals(workload.name())) {
                return manifest.body().path("spec").path("minReplicas").asInt(1);
            }
        }
        return workload.body().path("spec").path("replicas").asInt(1);
    }

    private static void checkNetworkPolicy(Manifest policy, List<PodTemplate> pods, List<Violation> violations) {
        JsonNode spec = policy.body().path("spec");
        List<PodTemplate> inNamespace = pods.stream().filter(pod -> Objects.equals(pod.namespace(), policy.namespace())).toList();
        JsonNode podSelector = spec.path("podSelector");
        if (!LabelSelectors.isEmpty(podSelector)) {
            checkSelectorValues(policy, "podSelector", podSelector, inNamespace, violations);
        }
        List<PodTemplate> protectedPods = inNamespace.stream()
                .filter(pod -> LabelSelectors.matches(podSelector, pod.labels())).toList();
        for (JsonNode rule : spec.path("ingress")) {
            for (JsonNode peer : rule.path("from")) {
                if (peer.has("podSelector") && !peer.has("namespaceSelector")) {
                    checkSelectorValues(policy, "from.podSelector", peer.path("podSelector"), inNamespace, violations);
                }
            }
            for (JsonNode port : rule.path("ports")) {
                if (port.path("port").isTextual() && protectedPods.stream().noneMatch(pod -> pod.exposesPort(port.path("port")))) {
                    violations.add(reference(policy, "port " + port.path("port").asText() + " is not a port of the selected pods"));
                }
            }
        }
    }

    /**
     * A selector must match some pod, and each value it lists under "In" must name one: a typo in
     * one of several allowed clients would otherwise go unnoticed until that client is cut off.
     */
    private static void checkSelectorValues(Manifest policy, String field, JsonNode selector, List<PodTemplate> pods,
                                            List<Violation> violations) {
        if (pods.stream().noneMatch(pod -> LabelSelectors.matches(selector, pod.labels()))) {
            violations.add(reference(policy, field + " " + selector + " matches no pod"));
            return;
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            if (!expression.path("operator").asText().equals("In")) {
                continue;
            }
            String key = expression.path("key").asText();
            for (JsonNode value : expression.path("values")) {
                if (pods.stream().noneMatch(pod -> value.asText().equals(pod.labels().get(key)))) {
                    violations.add(reference(policy, field + " lists " + key + "=" + value.asText() + ", which no pod has"));
                }
            }
        }
    }

    private void checkConfigurationReferences(PodTemplate pod, List<Manifest> manifests, List<Violation> violations) {
        List<JsonNode> containers = new ArrayList<>(pod.initContainers());
        containers.addAll(pod.containers());
        for (JsonNode container : containers) {
            for (JsonNode env : container.path("env")) {
                JsonNode from = env.path("valueFrom");
                String variable = env.path("name").asText();
                if (from.has("configMapKeyRef")) {
                    checkConfigMapKey(pod, variable, from.path("configMapKeyRef"), manifests, violations);
                }
                if (from.has("secretKeyRef")) {
                    checkSecretKey(pod, variable, from.path("secretKeyRef"), violations);
                }
            }
        }
        for (JsonNode volume : pod.spec().path("volumes")) {
            if (volume.has("configMap") && !volume.path("configMap").path("optional").asBoolean(false)) {
                String name = volume.path("configMap").path("name").asText();
                if (find(manifests, "ConfigMap", pod.namespace(), name).isEmpty()) {
                    violations.add(reference(pod.owner(), "volume " + volume.path("name").asText()
                            + " mounts ConfigMap " + name + ", which does not exist"));
                }
            }
        }
    }

    private static void checkConfigMapKey(PodTemplate pod, String variable, JsonNode ref, List<Manifest> manifests,
                                          List<Violation> violations) {
        if (ref.path("optional").asBoolean(false)) {
            return;
        }
        String name = ref.path("name").asText();
        String key = ref.path("key").asText();
        Optional<Manifest> configMap = find(manifests, "ConfigMap", pod.namespace(), name);
        if (configMap.isEmpty()) {
            violations.add(reference(pod.owner(), variable + " reads ConfigMap " + name + ", which does not exist"));
        } else if (!configMap.get().body().path("data").has(key)) {
            violations.add(reference(pod.owner(), variable + " reads key " + key + " that ConfigMap " + name + " lacks"));
        }
    }

    private void checkSecretKey(PodTemplate pod, String variable, JsonNode ref, List<Violation> violations) {
        String name = ref.path("name").asText();
        String key = ref.path("key").asText();
        boolean optional = ref.path("optional").asBoolean(false);
        if (!name.equals(facts.secretName())) {
            violations.add(reference(pod.owner(), variable + " reads Secret " + name + "; credentials come from "
                    + facts.secretName() + " only"));
        } else if (!facts.secretKeys().contains(key) && !(optional && facts.optionalSecretKeys().contains(key))) {
            violations.add(reference(pod.owner(), variable + " reads key " + key + " of " + name + ", which "
                    + PlatformFacts.SECRET_EXAMPLE + " does not document" + (optional ? "" : " as required")));
        }
    }

    private static Optional<Manifest> find(List<Manifest> manifests, String kind, String namespace, String name) {
        return manifests.stream()
                .filter(manifest -> manifest.kind().equals(kind) && manifest.name().equals(name)
                        && Objects.equals(manifest.namespace(), namespace))
                .findFirst();
    }

    private static Violation reference(Manifest manifest, String detail) {
        return new Violation(manifest.id(), "reference", detail);
    }
}
