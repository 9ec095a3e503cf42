package io.incomeplatform.deploy.validation;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Where the repository is, and what to do when a checking tool is not installed. */
final class Repository {

    static final Path ROOT = Path.of(System.getProperty("repository.root", "../..")).toAbsolutePath().normalize();
    static final Path MODULE = ROOT.resolve("deploy/validation");
    static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");

    private Repository() {
    }

    static PlatformFacts facts() {
        return PlatformFacts.load(ROOT);
    }

    /**
     * Skips the calling test, with the reason, when the tool is missing; in CI (CI=true) a missing
     * kubectl fails instead, because without it no overlay would be validated at all.
     */
    static void requireTool(String executable, String howToInstall, boolean mandatoryInCi) {
        if (Tools.onPath(executable).isPresent()) {
            return;
        }
        String message = executable + " is not installed, so this check did not run. Install it with: " + howToInstall;
        if (mandatoryInCi && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println("SKIPPED: " + message);
        Assumptions.abort(message);
    }

    static void requireKubectl() {
        requireTool("kubectl", "your distribution's kubectl package (it includes kustomize)", true);
    }
}
