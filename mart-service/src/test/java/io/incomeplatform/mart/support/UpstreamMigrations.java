package io.incomeplatform.mart.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.flywaydb.core.Flyway;

import java.util.Map;

/**
 * Runs the migrations of the schemas mart-service reads but does not own, before Quarkus starts:
 * ingestion-service's raw schema (processing test DB) and dashboard-service's app schema (serving
 * test DB), each as its owner role, exactly as those services would.
 */
public class UpstreamMigrations implements QuarkusTestResourceLifecycleManager {

    static String host() {
        return System.getenv().getOrDefault("DB_HOST", "127.0.0.1");
    }

    static String port() {
        return System.getenv().getOrDefault("DB_PORT", "5432");
    }

    public static String url(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    @Override
    public Map<String, String> start() {
        migrate(url("income_processing_test"), "income_ingestion", "raw",
                "filesystem:../ingestion-service/src/main/resources/db/migration");
        migrate(url("income_serving_test"), "income_dashboard", "app",
                "filesystem:../dashboard-service/src/main/resources/db/migration");
        return Map.of();
    }

    private static void migrate(String url, String user, String schema, String location) {
        Flyway.configure()
                .dataSource(url, user, System.getenv().getOrDefault("DB_PASSWORD", ""))
                .schemas(schema)
                .defaultSchema(schema)
                .createSchemas(false)
                .table("flyway_schema_history")
                .locations(location)
                // Their owners may still be editing unreleased migrations; we only need the tables.
                .validateOnMigrate(false)
                .load()
                .migrate();
    }

    @Override
    public void stop() {
    }
}
