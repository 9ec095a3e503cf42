package io.incomeplatform.deploy.validation;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs the external tools the checks use (kubectl, shellcheck, dockerfile-utils) when they are installed. */
public final class Tools {

    /** What a finished command printed and returned. */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    private Tools() {
    }

    /** The executable of that name on the PATH, if there is one. */
    public static Optional<Path> onPath(String executable) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isBlank()) {
                continue;
            }
            Path candidate = Path.of(directory, executable);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Runs a command to completion; output goes through files so a chatty tool cannot block on a full pipe. */
    public static Result run(List<String> command, Path workingDirectory, Duration timeout) {
        try {
            Path out = Files.createTempFile("deploy-validation", ".out");
            Path err = Files.createTempFile("deploy-validation", ".err");
            try {
                Process process = new ProcessBuilder(command)
                        .directory(workingDirectory.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
                }
                return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Could not run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + String.join(" ", command), e);
        }
    }

    /** {@code kubectl kustomize DIR}: the rendered YAML, or an exception with kustomize's own message. */
    public static String kustomize(Path kustomizationDirectory) {
        Result result = run(List.of("kubectl", "kustomize", kustomizationDirectory.toString()),
                kustomizationDirectory, Duration.ofSeconds(120));
        if (!result.succeeded()) {
            throw new IllegalStateException("kubectl kustomize " + kustomizationDirectory + " failed: " + result.stderr());
        }
        return result.stdout();
    }
}
