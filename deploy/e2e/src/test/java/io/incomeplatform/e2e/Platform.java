package io.incomeplatform.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The four packaged services (target/quarkus-app/quarkus-run.jar), each started as its own process
 * in the prod profile on a free port, against the test databases and the machine's Redis.
 */
final class Platform implements AutoCloseable {

    static final String JWT_SECRET = "e2e-secret-that-is-long-enough-for-hs256!";
    static final String PROCESSING_DB = env("E2E_PROCESSING_DB_NAME", "income_processing_test");
    static final String SERVING_DB = env("E2E_SERVING_DB_NAME", "income_serving_test");
    static final String DB_HOST = env("DB_HOST", "127.0.0.1");
    static final String DB_PORT = env("DB_PORT", "5432");

    enum Service {
        INGESTION("ingestion-service", "income_ingestion"),
        MART("mart-service", "income_mart"),
        DASHBOARD("dashboard-service", "income_dashboard"),
        REALTIME("realtime-service", null);

        final String module;
        final String dbUser;

        Service(String module, String dbUser) {
            this.module = module;
            this.dbUser = dbUser;
        }
    }

    private static final Path ROOT = Path.of(System.getProperty("platform.root", "../..")).toAbsolutePath().normalize();
    private static final Path LOG_DIR = ROOT.resolve("deploy/e2e/target/e2e-logs");
    private final Map<Service, Process> processes = new LinkedHashMap<>();
    private final Map<Service, Integer> ports = new HashMap<>();

    private static Platform shared;

    /** The four services, started once for all end-to-end test classes and stopped when the JVM exits. */
    static synchronized Platform shared() throws Exception {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    private static Platform start() throws Exception {
        Platform platform = new Platform();
        try {
            for (Service service : Service.values()) {
                platform.launch(service);
            }
            for (Service service : Service.values()) {
                platform.awaitReady(service, Duration.ofSeconds(90));
            }
            return platform;
        } catch (Exception | AssertionError e) {
            platform.close();
            throw e;
        }
    }

    URI uri(Service service, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + ports.get(service) + pathAndQuery);
    }

    URI webSocketUri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + ports.get(Service.REALTIME) + pathAndQuery);
    }

    /**
     * Starts one more instance of a service, outside the shared four, with extra environment (for
     * example DB_PORT or REDIS_URL pointing at a {@link FaultyProxy}). The caller stops it.
     */
    static Process launchExtra(Service service, int port, Map<String, String> extraEnv, String logName) throws IOException {
        Platform platform = new Platform();
        platform.ports.put(service, port);
        return platform.startProcess(service, port, extraEnv, logName);
    }

    private void launch(Service service) throws IOException {
        int port = freePort();
        ports.put(service, port);
        processes.put(service, startProcess(service, port, Map.of(), service.module));
    }

    private Process startProcess(Service service, int port, Map<String, String> extraEnv, String logName)
            throws IOException {
        Path jar = ROOT.resolve(service.module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("Not packaged: " + jar + " (run ./mvnw verify from the root)");
        }
        Files.createDirectories(LOG_DIR);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(javaBin.toString(), "-Xmx256m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(LOG_DIR.resolve(logName + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("DB_HOST", DB_HOST);
        env.put("DB_PORT", DB_PORT);
        env.put("PROCESSING_DB_NAME", PROCESSING_DB);
        env.put("SERVING_DB_NAME", SERVING_DB);
        env.put("REDIS_URL", env("REDIS_URL", "redis://127.0.0.1:6379"));
        env.put("AUTH_JWT_SECRET", JWT_SECRET);
        // Deterministic data only: the simulated feed stays off, scheduled work stays out of the way.
        env.put("INGESTION_FEED_ENABLED", "false");
        env.put("MART_REFRESH_EVERY", "off");
        env.put("REALTIME_BATCH_WINDOW", "200ms");
        if (service.dbUser != null) {
            env.put("DB_USER", service.dbUser);
        }
        env.putAll(extraEnv);
        return builder.start();
    }

    private void awaitReady(Service service, Duration timeout) throws Exception {
        awaitReady(processes.get(service), uri(service, "/q/health/ready"), timeout, service.module);
    }

    /** Polls a readiness URL until it answers 200; fails with the log's tail if the process dies or time runs out. */
    static void awaitReady(Process process, URI readyUri, Duration timeout, String logName) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        String lastAnswer = "no answer";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError(logName + " exited with " + process.exitValue() + ":\n" + logTail(logName));
            }
            try {
                HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(readyUri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastAnswer = response.statusCode() + " " + response.body();
            } catch (IOException notYetListening) {
                lastAnswer = notYetListening.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError(logName + " not ready after " + timeout + " (" + lastAnswer + "):\n" + logTail(logName));
    }

    static String logTail(String logName) {
        try {
            List<String> lines = Files.readAllLines(LOG_DIR.resolve(logName + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        List<Process> running = new ArrayList<>(processes.values());
        running.forEach(Process::destroy);
        for (Process process : running) {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
