package io.incomeplatform.deploy.validation;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Assumptions;
import org.w3c.dom.Document;

/** Where the repository is, and what to do when a checking tool is not installed. */
final class Repository {

    static final Path ROOT = Path.of(System.getProperty("repository.root", "../..")).toAbsolutePath().normalize();
    static final Path MODULE = ROOT.resolve("deploy/validation");
    static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");

    private Repository() {
    }

    /** The release the images are tagged with: the project's version without -SNAPSHOT. */
    static String releaseTag() {
        try {
            Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
            String version = XPathFactory.newInstance().newXPath()
                    .evaluate("/*[local-name()='project']/*[local-name()='version']", pom);
            return version.replace("-SNAPSHOT", "");
        } catch (Exception e) {
            throw new IllegalStateException("Cannot read the project version from pom.xml: " + e.getMessage(), e);
        }
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
