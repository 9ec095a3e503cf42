package io.incomeplatform.realtime.support;

import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilderCustomizer;
import jakarta.annotation.Priority;

import java.util.regex.Pattern;

/**
 * Chooses the test servers (README "Testing"): when the environment names them (DB_HOST for
 * PostgreSQL, REDIS_URL for Redis, as deploy/local/env.sh does) the tests use them through the %test
 * addresses in application.properties; when it names none, those addresses are hidden so that Quarkus
 * Dev Services start containers instead (Dev Services start only while no URL is configured, and
 * SmallRye config expressions cannot make a key absent). Only application.properties values are
 * hidden: Dev Services' own URLs and a test profile's overrides always count. Registered in
 * META-INF/services, this customizer is on the test classpath only, so packaged jars never see it.
 * The same class is in every service's tests (deploy/validation TestServersCopiesTest keeps them equal).
 */
public class TestServers implements SmallRyeConfigBuilderCustomizer {

    private static final Pattern DATASOURCE_URL = Pattern.compile("quarkus\\.datasource\\.([^.]+\\.)?(jdbc|reactive)\\.url");
    private static final Pattern REDIS_HOSTS = Pattern.compile("quarkus\\.redis\\.([^.]+\\.)?hosts");

    /** Whether the environment names a PostgreSQL server for the tests. */
    public static boolean postgresNamed() {
        return named("DB_HOST");
    }

    /** Whether the environment names a Redis server for the tests. */
    public static boolean redisNamed() {
        return named("REDIS_URL");
    }

    private static boolean named(String variable) {
        String value = System.getenv(variable);
        return value != null && !value.isBlank();
    }

    @Override
    public void configBuilder(SmallRyeConfigBuilder builder) {
        // Tests only: `quarkus dev` keeps its %dev servers even if it ever sees the test classes.
        if (LaunchMode.current() == LaunchMode.TEST) {
            builder.withInterceptors(new HideUnnamedServers(postgresNamed(), redisNamed()));
        }
    }

    @Priority(Priorities.APPLICATION)
    record HideUnnamedServers(boolean postgresNamed, boolean redisNamed) implements ConfigSourceInterceptor {

        @Override
        public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
            ConfigValue value = context.proceed(name);
            boolean hide = !postgresNamed && DATASOURCE_URL.matcher(name).matches()
                    || !redisNamed && REDIS_HOSTS.matcher(name).matches();
            return hide && value != null && fromApplicationProperties(value) ? null : value;
        }

        private static boolean fromApplicationProperties(ConfigValue value) {
            return value.getSourceName() != null && value.getSourceName().contains("application.properties");
        }
    }
}
