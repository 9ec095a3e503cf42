package io.incomeplatform.deploy.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Kubernetes label selector semantics: matchLabels plus matchExpressions (In, NotIn, Exists, DoesNotExist). */
final class LabelSelectors {

    private LabelSelectors() {
    }

    /** A Service's plain selector map: every pair must be among the labels. */
    static boolean mapMatches(JsonNode selector, Map<String, String> labels) {
        if (selector == null || selector.isMissingNode() || selector.isEmpty()) {
            return false;
        }
        for (var entry : selector.properties()) {
            if (!entry.getValue().asText().equals(labels.get(entry.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** A LabelSelector object; an empty selector matches everything. */
    static boolean matches(JsonNode selector, Map<String, String> labels) {
        if (!mapMatchesOrEmpty(selector.path("matchLabels"), labels)) {
            return false;
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String key = expression.path("key").asText();
            Set<String> values = new HashSet<>();
            expression.path("values").forEach(value -> values.add(value.asText()));
            boolean present = labels.containsKey(key);
            boolean matched = switch (expression.path("operator").asText()) {
                case "In" -> present && values.contains(labels.get(key));
                case "NotIn" -> !present || !values.contains(labels.get(key));
                case "Exists" -> present;
                case "DoesNotExist" -> !present;
                default -> false;
            };
            if (!matched) {
                return false;
            }
        }
        return true;
    }

    static boolean isEmpty(JsonNode selector) {
        return selector.path("matchLabels").isEmpty() && selector.path("matchExpressions").isEmpty();
    }

    private static boolean mapMatchesOrEmpty(JsonNode matchLabels, Map<String, String> labels) {
        return matchLabels.isMissingNode() || matchLabels.isEmpty() || mapMatches(matchLabels, labels);
    }
}
