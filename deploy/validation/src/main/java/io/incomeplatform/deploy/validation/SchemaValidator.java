package io.incomeplatform.deploy.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validates objects against the Kubernetes API schemas, through the models that the official Java
 * client generates from the Kubernetes OpenAPI spec: reading an object into its model fails on a
 * field the API does not define (a typo, a wrong nesting), on a missing required field and on a
 * value of the wrong type (a string where the API wants an integer, a malformed quantity).
 */
public final class SchemaValidator {

    /** The apiVersion/kind pairs the platform uses; anything else is reported rather than waved through. */
    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("v1/ConfigMap", V1ConfigMap.class),
            Map.entry("v1/Secret", V1Secret.class),
            Map.entry("v1/Service", V1Service.class),
            Map.entry("v1/Namespace", V1Namespace.class),
            Map.entry("v1/ServiceAccount", V1ServiceAccount.class),
            Map.entry("v1/PersistentVolumeClaim", V1PersistentVolumeClaim.class),
            Map.entry("apps/v1/Deployment", V1Deployment.class),
            Map.entry("apps/v1/StatefulSet", V1StatefulSet.class),
            Map.entry("apps/v1/DaemonSet", V1DaemonSet.class),
            Map.entry("batch/v1/Job", V1Job.class),
            Map.entry("batch/v1/CronJob", V1CronJob.class),
            Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", V1Ingress.class));

    /**
     * Fields whose values the API restricts to a closed set (the enums of the Kubernetes OpenAPI v3
     * spec). The generated models take any string there, so these are checked here, wherever they occur.
     */
    private static final Map<String, Set<String>> ENUMS = Map.of(
            "imagePullPolicy", Set.of("Always", "IfNotPresent", "Never"),
            "restartPolicy", Set.of("Always", "OnFailure", "Never"),
            "pathType", Set.of("Exact", "Prefix", "ImplementationSpecific"),
            "protocol", Set.of("TCP", "UDP", "SCTP"),
            "whenUnsatisfiable", Set.of("DoNotSchedule", "ScheduleAnyway"),
            "concurrencyPolicy", Set.of("Allow", "Forbid", "Replace"),
            "podManagementPolicy", Set.of("OrderedReady", "Parallel"));

    private static final int MAX_DETAIL = 400;

    public List<Violation> validate(Manifest manifest) {
        if (manifest.apiVersion().isEmpty() || manifest.kind().isEmpty()) {
            return List.of(new Violation(manifest.id(), "schema", "apiVersion and kind are required"));
        }
        if (manifest.name().isEmpty()) {
            return List.of(new Violation(manifest.id(), "schema", "metadata.name is required"));
        }
        Class<?> model = MODELS.get(manifest.apiVersion() + "/" + manifest.kind());
        if (model == null) {
            return List.of(new Violation(manifest.id(), "schema", "no Kubernetes schema known for "
                    + manifest.apiVersion() + " " + manifest.kind() + " (a typo, a removed API version, or a kind "
                    + "to add to SchemaValidator)"));
        }
        try {
            JSON.getGson().fromJson(JsonParser.parseString(manifest.body().toString()), model);
        } catch (RuntimeException e) {
            return List.of(new Violation(manifest.id(), "schema", describe(e)));
        }
        List<Violation> violations = new ArrayList<>();
        checkEnums(manifest, "", manifest.body(), violations);
        return violations;
    }

    private static void checkEnums(Manifest manifest, String path, JsonNode node, List<Violation> violations) {
        if (node.isObject()) {
            node.properties().forEach(field -> {
                Set<String> allowed = ENUMS.get(field.getKey());
                String fieldPath = path + "/" + field.getKey();
                if (allowed != null && field.getValue().isTextual() && !allowed.contains(field.getValue().asText())) {
                    violations.add(new Violation(manifest.id(), "schema", fieldPath + ": '" + field.getValue().asText()
                            + "' is not one of " + new TreeSet<>(allowed)));
                }
                // ConfigMap data, annotations and labels are free text, not API fields.
                if (!field.getKey().equals("data") && !field.getKey().equals("annotations") && !field.getKey().equals("labels")) {
                    checkEnums(manifest, fieldPath, field.getValue(), violations);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkEnums(manifest, path + "/" + i, node.get(i), violations);
            }
        }
    }

    /** The model's own message without the whole object it appends. */
    private static String describe(RuntimeException e) {
        Throwable cause = e;
        while (cause.getMessage() == null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        String message = String.valueOf(cause.getMessage());
        int json = message.indexOf(" JSON: ");
        if (json < 0) {
            json = message.indexOf(" in the JSON string: ");
        }
        if (json > 0) {
            message = message.substring(0, json);
        }
        return message.length() > MAX_DETAIL ? message.substring(0, MAX_DETAIL) + "..." : message;
    }
}
