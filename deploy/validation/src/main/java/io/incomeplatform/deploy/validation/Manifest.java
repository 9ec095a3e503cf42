package io.incomeplatform.deploy.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** One Kubernetes object as rendered: its whole tree, and its identity read from it. */
public record Manifest(ObjectNode body) {

    private static final YAMLMapper YAML = new YAMLMapper();

    /** Every object of a multi-document YAML stream, in order; empty documents are skipped. */
    public static List<Manifest> parseAll(String yaml) {
        List<Manifest> manifests = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document == null || document.isNull() || document.isMissingNode() || document.isEmpty()) {
                    continue;
                }
                if (!(document instanceof ObjectNode object)) {
                    throw new IllegalArgumentException("A YAML document is not an object: " + document);
                }
                manifests.add(of(object));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Not valid YAML: " + e.getMessage(), e);
        }
        return manifests;
    }

    static Manifest of(ObjectNode body) {
        return new Manifest(body);
    }

    public String apiVersion() {
        return body.path("apiVersion").asText("");
    }

    public String kind() {
        return body.path("kind").asText("");
    }

    /** The namespace, or null for a cluster-scoped object (or one the overlay did not place). */
    public String namespace() {
        JsonNode namespace = body.path("metadata").path("namespace");
        return namespace.isTextual() ? namespace.asText() : null;
    }

    public String name() {
        return body.path("metadata").path("name").asText("");
    }

    /** {@code Kind/namespace/name}, or {@code Kind/name} for cluster-scoped objects. */
    public String id() {
        return kind() + "/" + (namespace() == null ? "" : namespace() + "/") + name();
    }
}
