package io.incomeplatform.deploy.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The pod a workload object creates: its labels and its pod spec. */
public record PodTemplate(Manifest owner, Map<String, String> labels, JsonNode spec) {

    /** The pod template of a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod; empty for other kinds. */
    public static Optional<PodTemplate> of(Manifest manifest) {
        JsonNode body = manifest.body();
        JsonNode template = switch (manifest.kind()) {
            case "Deployment", "StatefulSet", "DaemonSet", "Job" -> body.path("spec").path("template");
            case "CronJob" -> body.path("spec").path("jobTemplate").path("spec").path("template");
            case "Pod" -> body;
            default -> null;
        };
        if (template == null) {
            return Optional.empty();
        }
        return Optional.of(new PodTemplate(manifest, stringMap(template.path("metadata").path("labels")),
                template.path("spec")));
    }

    /** Runs to completion (Job, CronJob) rather than serving until stopped. */
    public boolean runsToCompletion() {
        return owner.kind().equals("Job") || owner.kind().equals("CronJob");
    }

    public String namespace() {
        return owner.namespace();
    }

    public List<JsonNode> containers() {
        List<JsonNode> containers = new ArrayList<>();
        spec.path("containers").forEach(containers::add);
        return containers;
    }

    public List<JsonNode> initContainers() {
        List<JsonNode> containers = new ArrayList<>();
        spec.path("initContainers").forEach(containers::add);
        return containers;
    }

    /** Names and numbers of every container port, for resolving a Service's or a probe's targetPort. */
    public boolean exposesPort(JsonNode port) {
        for (JsonNode container : containers()) {
            for (JsonNode declared : container.path("ports")) {
                if (port.isTextual() && port.asText().equals(declared.path("name").asText(null))) {
                    return true;
                }
                if (port.canConvertToInt() && port.asInt() == declared.path("containerPort").asInt(-1)) {
                    return true;
                }
            }
        }
        return false;
    }

    static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        node.properties().forEach(entry -> map.put(entry.getKey(), entry.getValue().asText()));
        return map;
    }
}
