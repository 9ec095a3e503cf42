package io.incomeplatform.e2e;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The packaged services run as separate processes, where Quarkus Dev Services cannot reach: these tests
 * need the PostgreSQL and Redis the environment names (deploy/local/test.sh and CI set DB_HOST and
 * REDIS_URL), and are skipped, with this reason, on the Dev Services path (README "Testing").
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@EnabledIfEnvironmentVariable(named = "DB_HOST", matches = ".*\\S.*",
        disabledReason = "DB_HOST is not set: end-to-end tests need real PostgreSQL and Redis (run deploy/local/test.sh)")
@EnabledIfEnvironmentVariable(named = "REDIS_URL", matches = ".*\\S.*",
        disabledReason = "REDIS_URL is not set: end-to-end tests need real PostgreSQL and Redis (run deploy/local/test.sh)")
@interface NeedsNamedServers {
}
