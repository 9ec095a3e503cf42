package io.incomeplatform.mart;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.reactive.datasource.ReactiveDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The session settings application.properties asks for reach every connection the service opens. */
@QuarkusTest
class ConnectionSettingsTest {

    /** application.properties' default for DB_JIT_ABOVE_COST (PostgreSQL's default: 100000). */
    private static final double JIT_ABOVE_COST = 10_000_000;

    @Inject
    Pool processing;
    @Inject
    @ReactiveDataSource("serving")
    Pool serving;
    @Inject
    AgroalDataSource processingJdbc;
    @Inject
    @DataSource("serving")
    AgroalDataSource servingJdbc;

    @Test
    void shouldCompileOnlyVeryCostlyStatementsOnEveryConnection() throws SQLException {
        // PostgreSQL shows the value as 1e+07.
        assertEquals(JIT_ABOVE_COST, Double.parseDouble(show(processing)));
        assertEquals(JIT_ABOVE_COST, Double.parseDouble(show(serving)));
        assertEquals(JIT_ABOVE_COST, Double.parseDouble(show(processingJdbc)));
        assertEquals(JIT_ABOVE_COST, Double.parseDouble(show(servingJdbc)));
    }

    private static String show(Pool pool) {
        return pool.query("SHOW jit_above_cost").execute().await().atMost(Duration.ofSeconds(10))
                .iterator().next().getString(0);
    }

    private static String show(AgroalDataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW jit_above_cost")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
