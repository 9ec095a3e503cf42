package io.incomeplatform.mart.support;

import io.quarkus.test.common.DevServicesContext;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.flywaydb.core.Flyway;

import java.util.Map;

/**
 * Runs the migrations of the schemas mart-service reads but does not own, before Quarkus starts:
 * ingestion-service's raw schema (processing test DB) and dashboard-service's app schema (serving
 * test DB), each as its owner role, exactly as those services would.
 */
public class UpstreamMigrations implements QuarkusTestResourceLifecycleManager, DevServicesContext.ContextAware {

    /** Dev Services' URLs, when they started containers (they run before test resources do). */
    private Map<String, String> devServices = Map.of();

    @Override
    public void setIntegrationTestContext(DevServicesContext context) {
        devServices = context.devServicesProperties();
    }

    @Override
    public Map<String, String> start() {
        migrate(url(Db.PROCESSING), "income_ingestion", "raw",
                "filesystem:../ingestion-service/src/main/resources/db/migration");
        migrate(url(Db.SERVING), "income_dashboard", "app",
                "filesystem:../dashboard-service/src/main/resources/db/migration");
        return Map.of();
    }

    /** The service is not running yet: a Dev Services URL is only in the test context, the %test one in the configuration. */
    private String url(String datasource) {
        String fromDevServices = devServices.get(datasource + ".jdbc.url");
        return fromDevServices != null ? fromDevServices : Db.url(datasource);
    }

    private static void migrate(String url, String user, String schema, String location) {
        Flyway.configure()
                .dataSource(url, user, Db.password())
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
