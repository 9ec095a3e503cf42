package io.incomeplatform.deploy.validation;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the manifests must agree with, read from the repository: each service's HTTP port and
 * shutdown timeout (its application.properties) and the keys of the credentials Secret (the
 * documented example file).
 */
public record PlatformFacts(Map<String, Service> services, String secretName, Set<String> secretKeys,
                            Set<String> optionalSecretKeys) {

    /**
     * A service as its own configuration describes it: HTTP port and graceful shutdown, which is
     * quarkus.shutdown.delay (when enabled) then quarkus.shutdown.timeout. Values may be
     * {@code ${ENV_VAR:default}} expressions; a Deployment that sets ENV_VAR changes them.
     * {@code environmentVariables} are all the variables its configuration reads that way.
     */
    public record Service(String name, int httpPort, String shutdownTimeout, String shutdownDelay,
                          Set<String> environmentVariables) {

        /**
         * Whether setting this variable changes anything: one the configuration reads, or one that
         * Quarkus (QUARKUS_*) or the image's run-java.sh (JAVA_*) reads by itself.
         */
        public boolean reads(String variable) {
            return environmentVariables.contains(variable) || variable.startsWith("QUARKUS_") || variable.startsWith("JAVA_");
        }

        /** Seconds the service may spend shutting down, with the container's literal env values applied. */
        public int shutdownSeconds(Map<String, String> env) {
            Duration total = duration(resolve(shutdownTimeout, env));
            if (shutdownDelay != null) {
                total = total.plus(duration(resolve(shutdownDelay, env)));
            }
            return (int) Math.ceil(total.toMillis() / 1000.0);
        }

        private static String resolve(String value, Map<String, String> env) {
            Matcher expression = EXPRESSION.matcher(value);
            if (!expression.matches()) {
                return value;
            }
            return env.getOrDefault(expression.group(1), expression.group(2));
        }
    }

    public static final List<String> SERVICES =
            List.of("ingestion-service", "mart-service", "dashboard-service", "realtime-service");
    public static final String SECRET_NAME = "income-credentials";
    public static final Path SECRET_EXAMPLE = Path.of("deploy", "kubernetes", "secrets.example.env");

    private static final Pattern KEY_LINE = Pattern.compile("^(#\\s*)?([A-Z][A-Z0-9_]*)=.*$");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    private static final Pattern EXPRESSION = Pattern.compile("^\\$\\{([A-Z0-9_]+):([^}]*)}$");
    private static final Pattern SIMPLE_DURATION = Pattern.compile("^(\\d+)(ms|s|m|h)$");

    public static PlatformFacts load(Path repositoryRoot) {
        Map<String, Service> services = new LinkedHashMap<>();
        for (String name : SERVICES) {
            Properties properties = new Properties();
            Set<String> variables = new LinkedHashSet<>();
            Path configuration = repositoryRoot.resolve(name).resolve("src/main/resources/application.properties");
            try (Reader reader = Files.newBufferedReader(configuration)) {
                properties.load(reader);
                Matcher variable = VARIABLE.matcher(Files.readString(configuration));
                while (variable.find()) {
                    variables.add(variable.group(1));
                }
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read the configuration of " + name + ": " + e.getMessage(), e);
            }
            boolean delayed = Boolean.parseBoolean(properties.getProperty("quarkus.shutdown.delay-enabled", "false").trim());
            services.put(name, new Service(name, Integer.parseInt(properties.getProperty("quarkus.http.port").trim()),
                    properties.getProperty("quarkus.shutdown.timeout", "0s").trim(),
                    delayed ? properties.getProperty("quarkus.shutdown.delay", "0s").trim() : null, Set.copyOf(variables)));
        }
        Set<String> keys = new LinkedHashSet<>();
        Set<String> optionalKeys = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(repositoryRoot.resolve(SECRET_EXAMPLE))) {
                Matcher matcher = KEY_LINE.matcher(line.trim());
                if (matcher.matches()) {
                    (matcher.group(1) == null ? keys : optionalKeys).add(matcher.group(2));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + SECRET_EXAMPLE + ": " + e.getMessage(), e);
        }
        return new PlatformFacts(Map.copyOf(services), SECRET_NAME, Set.copyOf(keys), Set.copyOf(optionalKeys));
    }

    /** Quarkus durations: 25s, 1000ms, 2m, 1h, or ISO-8601 (PT25S). */
    static Duration duration(String value) {
        Matcher simple = SIMPLE_DURATION.matcher(value.trim());
        if (simple.matches()) {
            long amount = Long.parseLong(simple.group(1));
            return switch (simple.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        return Duration.parse(value.trim());
    }
}
