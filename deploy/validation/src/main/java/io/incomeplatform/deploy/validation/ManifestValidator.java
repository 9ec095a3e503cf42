package io.incomeplatform.deploy.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** All the checks on one rendering: schema per object, container policy per pod, references across objects. */
public final class ManifestValidator {

    private final SchemaValidator schemas = new SchemaValidator();
    private final ContainerPolicy policy;
    private final ReferenceChecker references;

    public ManifestValidator(PlatformFacts facts) {
        this.policy = new ContainerPolicy(facts);
        this.references = new ReferenceChecker(facts);
    }

    public List<Violation> validate(List<Manifest> manifests) {
        List<Violation> violations = new ArrayList<>();
        boolean schemasHold = true;
        for (Manifest manifest : manifests) {
            List<Violation> schemaViolations = schemas.validate(manifest);
            violations.addAll(schemaViolations);
            schemasHold &= schemaViolations.isEmpty();
            // Policies read fields by their API names: only meaningful once the object has the API's shape.
            if (schemaViolations.isEmpty()) {
                PodTemplate.of(manifest).map(policy::check).ifPresent(violations::addAll);
            }
        }
        if (schemasHold) {
            violations.addAll(references.check(manifests));
        }
        return violations;
    }

    static Optional<String> report(List<Violation> violations) {
        if (violations.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder report = new StringBuilder(violations.size() + " problem(s):");
        violations.forEach(violation -> report.append("\n  - ").append(violation));
        return Optional.of(report.toString());
    }
}
