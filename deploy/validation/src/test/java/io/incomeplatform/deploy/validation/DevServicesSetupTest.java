package io.incomeplatform.deploy.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The Dev Services test path (README "Testing"), checked without Docker: every datasource's container is
 * laid out by deploy/sql/init-databases.sql itself (the postgres image's entrypoint runs it), so the
 * containers cannot drift from the layout the local servers, CI, Compose and Kubernetes get; and the
 * services' copies of the test-support class that chooses between the two paths stay identical.
 */
class DevServicesSetupTest {

    private static final Path INIT_SCRIPT = Repository.ROOT.resolve("deploy/sql/init-databases.sql");
    private static final String ENTRYPOINT_SCRIPT = "/docker-entrypoint-initdb.d/init-databases.sql";
    private static final List<String> SERVICES = List.of("ingestion-service", "mart-service", "dashboard-service", "realtime-service");
    private static final Map<String, String> ROLES = Map.of("ingestion-service", "income_ingestion",
            "mart-service", "income_mart", "dashboard-service", "income_dashboard");

    @ParameterizedTest
    @ValueSource(strings = {"ingestion-service", "mart-service", "dashboard-service"})
    void shouldLayOutEveryDatasourcesContainerWithTheRepositorysInitScript(String service) throws IOException {
        Properties config = config(service);
        Map<String, String> datasources = datasources(config);
        assertFalse(datasources.isEmpty(), service + " declares no datasource");

        for (Map.Entry<String, String> datasource : datasources.entrySet()) {
            String devServices = "%test." + datasource.getKey() + "devservices.";
            String where = service + " " + devServices;
            Map<String, String> volumes = withPrefix(config, devServices + "volumes.");
            assertEquals(1, volumes.size(), where + "volumes: exactly the init script");
            String hostPath = volumes.keySet().iterator().next().replace("\"", "");
            assertEquals(INIT_SCRIPT, Repository.ROOT.resolve(service).resolve(hostPath).normalize(),
                    where + "volumes must mount deploy/sql/init-databases.sql (relative to the module, Maven's working directory)");
            assertEquals(ENTRYPOINT_SCRIPT, volumes.values().iterator().next(), where + "volumes");

            // The entrypoint runs the script without psql variables: the container's database must be the
            // script's default for the database this datasource stands for.
            assertEquals(scriptDefault(datasource.getValue()), config.getProperty(devServices + "db-name"), where + "db-name");
            // The service's role is the container's superuser, so what it creates has the owner (and the default
            // privileges) it has on the servers; trust lets the tests log in as the other roles without a password.
            assertEquals(ROLES.get(service), config.getProperty(devServices + "username"), where + "username");
            assertEquals("trust", config.getProperty(devServices + "container-env.POSTGRES_HOST_AUTH_METHOD"), where + "trust");
            assertEquals(composeImage("postgres"), config.getProperty(devServices + "image-name"), where + "image-name (as Compose)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ingestion-service", "mart-service", "dashboard-service", "realtime-service"})
    void shouldStartTheSameRedisAsCompose(String service) throws IOException {
        assertEquals(composeImage("redis"), config(service).getProperty("%test.quarkus.redis.devservices.image-name"), service);
    }

    @Test
    void shouldKeepTheServicesCopiesOfTestServersIdentical() throws IOException {
        String first = null;
        for (String service : SERVICES) {
            String module = service.replace("-service", "");
            Path source = Repository.ROOT.resolve(service + "/src/test/java/io/incomeplatform/" + module + "/support/TestServers.java");
            String body = Files.readString(source).replace("package io.incomeplatform." + module + ".support;", "");
            if (first == null) {
                first = body;
            }
            assertEquals(first, body, source + " differs from the ingestion-service copy: change all four alike");
            Path registration = Repository.ROOT.resolve(service
                    + "/src/test/resources/META-INF/services/io.smallrye.config.SmallRyeConfigBuilderCustomizer");
            assertEquals("io.incomeplatform." + module + ".support.TestServers", Files.readString(registration).strip(),
                    service + " must register its TestServers");
        }
    }

    /** Datasource key prefix ("quarkus.datasource." or "quarkus.datasource.serving.") to "processing" or "serving". */
    private static Map<String, String> datasources(Properties config) {
        Map<String, String> datasources = new TreeMap<>();
        Pattern url = Pattern.compile("%test\\.(quarkus\\.datasource\\.(?:[a-z-]+\\.)?)jdbc\\.url");
        for (String key : config.stringPropertyNames()) {
            Matcher m = url.matcher(key);
            if (m.matches()) {
                String value = config.getProperty(key);
                assertTrue(value.contains("PROCESSING_DB_NAME") || value.contains("SERVING_DB_NAME"), key + " names no database variable");
                datasources.put(m.group(1), value.contains("PROCESSING_DB_NAME") ? "processing" : "serving");
            }
        }
        return datasources;
    }

    private static String scriptDefault(String database) throws IOException {
        Matcher m = Pattern.compile("\\\\set " + database + "_db (\\S+)").matcher(Files.readString(INIT_SCRIPT));
        assertTrue(m.find(), "init-databases.sql has no default for " + database + "_db");
        return m.group(1);
    }

    private static Map<String, String> withPrefix(Properties config, String prefix) {
        Map<String, String> found = new TreeMap<>();
        config.stringPropertyNames().stream().filter(k -> k.startsWith(prefix))
                .forEach(k -> found.put(k.substring(prefix.length()), config.getProperty(k)));
        return found;
    }

    private static Properties config(String service) throws IOException {
        Properties config = new Properties();
        try (Reader reader = Files.newBufferedReader(Repository.ROOT.resolve(service + "/src/main/resources/application.properties"))) {
            config.load(reader);
        }
        return config;
    }

    @SuppressWarnings("unchecked")
    private static String composeImage(String service) throws IOException {
        try (Reader reader = Files.newBufferedReader(Repository.ROOT.resolve("deploy/compose/compose.yaml"))) {
            Map<String, Object> services = (Map<String, Object>) new Yaml().<Map<String, Object>>load(reader).get("services");
            return (String) ((Map<String, Object>) services.get(service)).get("image");
        }
    }
}
