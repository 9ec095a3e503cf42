package io.incomeplatform.deploy.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every shell script under deploy/ passes shellcheck at severity "warning" (errors and warnings fail;
 * info and style notes do not). Scripts are *.sh files and files whose first line is a sh/bash shebang,
 * outside build output and this module's deliberately broken fixtures.
 */
class ShellScriptsTest {

    private static final String INSTALL = "apt-get install -y shellcheck";
    private static final Path FIXTURES = Repository.MODULE.resolve("src/test/resources");

    @Test
    void shouldFindTheDeployScripts() throws IOException {
        List<Path> scripts = scripts();

        assertTrue(scripts.contains(Repository.ROOT.resolve("deploy/local/env.sh")), scripts.toString());
    }

    @Test
    void shouldPassShellcheck() throws IOException {
        Repository.requireTool("shellcheck", INSTALL, false);
        List<String> command = new ArrayList<>(List.of("shellcheck", "--external-sources", "--severity=warning",
                "--format=gcc"));
        scripts().forEach(script -> command.add(Repository.ROOT.relativize(script).toString()));

        Tools.Result result = Tools.run(command, Repository.ROOT, Duration.ofSeconds(120));

        assertEquals("", result.stdout().strip(), "shellcheck findings (fix them, or disable one with a reason)");
        assertEquals(0, result.exitCode(), result.stderr());
    }

    @Test
    void shouldMakeShellcheckRejectABrokenScript() {
        Repository.requireTool("shellcheck", INSTALL, false);

        Tools.Result result = Tools.run(List.of("shellcheck", "--severity=warning", "--format=gcc",
                FIXTURES.resolve("fixtures/broken.sh").toString()), Repository.ROOT, Duration.ofSeconds(60));

        assertNotEquals(0, result.exitCode());
        // SC2164: cd without a fallback; SC2115: rm -rf "$TARGET/"* could delete from /.
        assertTrue(result.stdout().contains("SC2164"), result.stdout());
        assertTrue(result.stdout().contains("SC2115"), result.stdout());
    }

    private static List<Path> scripts() throws IOException {
        try (Stream<Path> files = Files.walk(Repository.ROOT.resolve("deploy"))) {
            List<Path> scripts = files.filter(Files::isRegularFile)
                    .filter(file -> !file.startsWith(FIXTURES))
                    .filter(file -> !containsSegment(file, "target") && !containsSegment(file, "node_modules"))
                    .filter(ShellScriptsTest::isShellScript)
                    .sorted()
                    .toList();
            assertFalse(scripts.isEmpty());
            return scripts;
        }
    }

    private static boolean containsSegment(Path file, String segment) {
        for (Path part : Repository.ROOT.relativize(file)) {
            if (part.toString().equals(segment)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isShellScript(Path file) {
        if (file.getFileName().toString().endsWith(".sh")) {
            return true;
        }
        try (Stream<String> lines = Files.lines(file)) {
            String first = lines.findFirst().orElse("");
            return first.matches("#!\\s*/(usr/)?bin/(env\\s+)?(ba)?sh\\b.*");
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }
}
