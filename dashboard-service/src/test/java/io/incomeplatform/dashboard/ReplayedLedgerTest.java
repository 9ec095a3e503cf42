package io.incomeplatform.dashboard;

import io.incomeplatform.dashboard.service.DashboardCache;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

/**
 * A replica keeps the ledgers it replayed and reuses one while the ledger versions of its portfolios
 * (app.portfolios.ledger_version, raised by triggers) are unchanged: a change made by any writer, not only
 * through this service, must be read again.
 */
@QuarkusTest
class ReplayedLedgerTest {

    @Inject
    Pool pool;
    @Inject
    DashboardCache cache;

    private void rebuild(UUID user, String token, int portfolioValue, int transactions) {
        // What a portfolio-changed message does; the next request is a miss built from the database.
        cache.invalidateUsers(List.of(user.toString())).await().indefinitely();
        TestSupport.retryingIfMartsWereReplaced(() -> given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200)
                .body("metadata.cacheStatus", equalTo("miss"))
                .body("performanceCommand.portfolioValue", equalTo(portfolioValue))
                .body("quickActions.recentActivity.transactions", hasSize(transactions)));
    }

    @Test
    void shouldReadTheLedgerAgainWhenARowIsAddedOrDeletedBehindTheServicesBack() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        String symbol = TestSupport.uniqueSymbol();
        UUID portfolio = UUID.fromString(DashboardCacheTest.newUserWithOneHolding(user, symbol)); // 10 shares, price 10
        rebuild(user, token, 100, 1);

        // A BUY of 5 inserted straight into the table, as an operator's fix would be: 15 x 10.
        pool.preparedQuery("INSERT INTO app.transactions (id, portfolio_id, user_id, type, symbol, trade_date, shares, price, fee, created_by)"
                        + " VALUES ($1, $2, $3, 'BUY', $4, $5, 5, 9, 0, $3)")
                .execute(Tuple.of(UUID.randomUUID(), portfolio, user, symbol, LocalDate.of(2025, 3, 3))).await().indefinitely();
        rebuild(user, token, 150, 2);

        // The first BUY deleted as the ledger deletes (deleted_at set): 5 x 10.
        pool.preparedQuery("UPDATE app.transactions SET deleted_at = now(), deleted_by = $2 WHERE portfolio_id = $1 AND trade_date = $3")
                .execute(Tuple.of(portfolio, user, LocalDate.of(2025, 1, 2))).await().indefinitely();
        rebuild(user, token, 50, 1);
    }

    @Test
    void shouldBuildTheSameCardsFromAKeptReplayAsFromTheRows() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        DashboardCacheTest.newUserWithOneHolding(user, TestSupport.uniqueSymbol());
        // The first miss replays the rows, the second reuses that replay: the ETag covers every card.
        cache.invalidateUsers(List.of(user.toString())).await().indefinitely();
        String fromRows = given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200).extract().header("ETag");
        cache.invalidateUsers(List.of(user.toString())).await().indefinitely();
        String fromReplay = given().auth().oauth2(token).get("/api/v1/dashboard").then().statusCode(200).extract().header("ETag");
        assertThat(fromReplay, equalTo(fromRows));
    }

    @Test
    void shouldRaiseTheLedgerVersionOncePerStatementOfTheTransactionsPortfolioOnly() {
        UUID user = UUID.randomUUID();
        UUID changed = UUID.randomUUID();
        UUID untouched = UUID.randomUUID();
        pool.preparedQuery("INSERT INTO app.portfolios (id, user_id, name) VALUES ($1, $3, 'a'), ($2, $3, 'b')")
                .execute(Tuple.of(changed, untouched, user)).await().indefinitely();
        // Three rows in one statement: one raise.
        pool.preparedQuery("INSERT INTO app.transactions (id, portfolio_id, user_id, type, symbol, trade_date, shares, price, fee, created_by)"
                        + " SELECT gen_random_uuid(), $1, $2, 'BUY', 'ABC', DATE '2025-01-02' + n, 1, 1, 0, $2 FROM generate_series(1, 3) n")
                .execute(Tuple.of(changed, user)).await().indefinitely();
        // A delete of one row, then a statement that changes nothing.
        pool.preparedQuery("DELETE FROM app.transactions WHERE id = (SELECT id FROM app.transactions WHERE portfolio_id = $1 LIMIT 1)")
                .execute(Tuple.of(changed)).await().indefinitely();
        pool.preparedQuery("UPDATE app.transactions SET fee = 1 WHERE portfolio_id = $1 AND false").execute(Tuple.of(changed)).await().indefinitely();
        var versions = pool.preparedQuery("SELECT id, ledger_version FROM app.portfolios WHERE user_id = $1").execute(Tuple.of(user))
                .await().indefinitely();
        versions.forEach(row -> assertThat(row.getUUID("id") + " version", row.getLong("ledger_version"),
                equalTo(row.getUUID("id").equals(changed) ? 2L : 0L)));
    }
}
