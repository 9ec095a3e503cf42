package io.incomeplatform.dashboard.repository;

import io.vertx.sqlclient.SqlConnectOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class DashboardSnapshotStatementTest {

    /**
     * The reactive client caches a prepared statement only when its SQL is shorter than 2,048 characters
     * (SqlConnectOptions.DEFAULT_PREPARED_STATEMENT_CACHE_SQL_LIMIT): a longer one is parsed and planned on
     * every dashboard miss, which more than doubled Postgres' CPU per miss.
     */
    @Test
    void shouldStayShortEnoughForTheClientsPreparedStatementCache() {
        int length = DashboardSnapshotRepository.SNAPSHOT.length();
        assertTrue(length < SqlConnectOptions.DEFAULT_PREPARED_STATEMENT_CACHE_SQL_LIMIT, "the snapshot statement has " + length + " characters");
    }

    /** The same for the statement of a miss answered from the market copy. */
    @Test
    void shouldKeepTheMissStatementShortEnoughForTheClientsPreparedStatementCache() {
        int length = DashboardSnapshotRepository.MISS.length();
        assertTrue(length < SqlConnectOptions.DEFAULT_PREPARED_STATEMENT_CACHE_SQL_LIMIT, "the miss statement has " + length + " characters");
    }
}
