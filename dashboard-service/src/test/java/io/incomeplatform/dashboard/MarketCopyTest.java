package io.incomeplatform.dashboard;

import io.incomeplatform.dashboard.repository.MarketCopy;
import io.incomeplatform.dashboard.repository.MarketCopyRepository;
import io.incomeplatform.dashboard.service.DashboardCache;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.path.json.config.JsonPathConfig;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static io.incomeplatform.dashboard.DashboardCardsTest.assertNumber;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A miss answered from the replica's market copy: the same bytes as from the database, and never the copy
 * of market rows that a sync has replaced since (the serving.mart_status rows' xmin tells).
 */
@QuarkusTest
class MarketCopyTest {

    /** The benchmark's close two days back: inside the copy's default window (7 days before today, 60 after). */
    static final LocalDate AS_OF = LocalDate.now(ZoneId.of("America/New_York")).minusDays(2);

    @Inject
    MarketCopyRepository market;
    @Inject
    DashboardCache cache;

    record Holder(UUID user, String token, String a, String r) {
    }

    /**
     * A user holding 100 A (price 25) and 100 R (price 20) with the benchmark's close as-of date; A pays 0.375
     * on as-of + 20 days, R 0.1 on as-of + 10 days and again on as-of + 40 days (past the 30-day horizon).
     */
    static Holder userWithTwoHoldings() {
        UUID user = UUID.randomUUID();
        String token = TestSupport.token(user);
        String a = TestSupport.uniqueSymbol();
        String r = TestSupport.uniqueSymbol();
        String bench = TestSupport.uniqueSymbol();
        TestSupport.stock(a, "stock", "Technology", "25", AS_OF, "1.5");
        TestSupport.stock(r, "reit", "Real Estate", "20", AS_OF, "0.4");
        TestSupport.stock(bench, "etf", "Index", "500", AS_OF, null);
        given().auth().oauth2(token).contentType("application/json").body(Map.of("benchmark", bench))
                .put("/api/v1/profile").then().statusCode(200);
        String portfolio = DashboardCardsTest.portfolio(token, "Main");
        DashboardCardsTest.buy(token, portfolio, "BUY", a, "2025-01-02", "100", "20", null);
        DashboardCardsTest.buy(token, portfolio, "BUY", r, "2025-02-03", "100", "25", null);
        TestSupport.dividend(a, AS_OF.plusDays(5), AS_OF.plusDays(20), "0.375", "announced");
        TestSupport.dividend(r, AS_OF.plusDays(3), AS_OF.plusDays(10), "0.1", "projected");
        TestSupport.dividend(r, AS_OF.plusDays(25), AS_OF.plusDays(40), "0.1", "projected");
        return new Holder(user, token, a, r);
    }

    /** The dashboard's body without its build time, after dropping the user's cached copies: a miss. */
    String miss(Holder h) {
        cache.invalidateUsers(List.of(h.user().toString())).await().indefinitely();
        String body = given().auth().oauth2(h.token()).get("/api/v1/dashboard").then().statusCode(200).extract().asString();
        assertTrue(body.contains("\"cacheStatus\":\"miss\""), body);
        return body.replaceFirst("\"lastUpdated\":\"[^\"]*\"", "\"lastUpdated\":\"\"");
    }

    static JsonPath json(String body) {
        return new JsonPath(body).using(new JsonPathConfig(JsonPathConfig.NumberReturnType.BIG_DECIMAL));
    }

    /** The version of the market rows now: the xmin of the two marts' serving.mart_status rows (docs/service-contracts.md). */
    static String databaseVersion() {
        AtomicReference<String> version = new AtomicReference<>();
        TestSupport.asMart(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT string_agg(xmin::text, ',' ORDER BY name) FROM serving.mart_status"
                    + " WHERE name IN ('dividend_calendar', 'stocks_summary')"); ResultSet rs = s.executeQuery()) {
                rs.next();
                version.set(rs.getString(1));
            }
        });
        return version.get();
    }

    /** Loads the copy and waits until it is the database's current one. */
    void awaitCurrentCopy() {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            MarketCopy copy = market.current();
            if (copy != null && copy.matches(databaseVersion())) {
                return true;
            }
            market.reload();
            return false;
        });
    }

    static void assertHandWorkedCards(JsonPath d, String a, String r) {
        assertNumber("4500", d, "performanceCommand.portfolioValue"); // 100 x 25 + 100 x 20
        assertEquals(AS_OF.toString(), d.getString("performanceCommand.asOf"));
        // Paid in (as-of, as-of + 30]: R's on as-of + 10 (100 x 0.1 = 10), then A's on as-of + 20 (100 x 0.375 = 37.5).
        assertEquals(List.of(r, a), d.getList("quickActions.recentActivity.upcomingDividends.symbol"));
        assertNumber("10", d, "quickActions.recentActivity.upcomingDividends[0].expectedAmount");
        assertNumber("37.5", d, "quickActions.recentActivity.upcomingDividends[1].expectedAmount");
    }

    @Test
    void shouldAnswerAMissFromTheCopyWithTheSameBytesAsFromTheDatabase() {
        Holder h = userWithTwoHoldings();
        TestSupport.retryingIfMartsWereReplaced(() -> {
            awaitCurrentCopy();
            String fromCopy = miss(h);

            // A new version of the status row alone (no row changed): the copy no longer matches, so the miss reads the database.
            TestSupport.asMart(c -> {
                c.setAutoCommit(false);
                TestSupport.touchMartStatus(c, "stocks_summary");
                c.commit();
            });
            assertFalse(market.current().matches(databaseVersion()), "the copy is out of date");
            String fromDatabase = miss(h);

            assertEquals(fromDatabase, fromCopy);
            assertHandWorkedCards(json(fromCopy), h.a(), h.r());
        });
    }

    @Test
    void shouldSeeAMartChangeOnTheVeryNextMissAndNeverTheReplacedCopy() {
        Holder h = userWithTwoHoldings();
        TestSupport.retryingIfMartsWereReplaced(() -> {
            awaitCurrentCopy();
            assertHandWorkedCards(json(miss(h)), h.a(), h.r());

            // A sync: A's price 25 -> 30 and a new dividend of A on as-of + 15 (100 x 0.2 = 20), each with its mart_status row.
            TestSupport.stock(h.a(), "stock", "Technology", "30", AS_OF, "1.5");
            TestSupport.dividend(h.a(), AS_OF.plusDays(1), AS_OF.plusDays(15), "0.2", "announced");
            String nextBody = miss(h);
            JsonPath next = json(nextBody);
            assertNumber("5000", next, "performanceCommand.portfolioValue"); // 100 x 30 + 100 x 20
            assertEquals(List.of(h.r(), h.a(), h.a()), next.getList("quickActions.recentActivity.upcomingDividends.symbol"));
            assertNumber("20", next, "quickActions.recentActivity.upcomingDividends[1].expectedAmount");

            // Once the copy is reloaded it holds the new rows and answers with the same bytes.
            awaitCurrentCopy();
            assertEquals(0, new BigDecimal("30").compareTo(market.current().stock(h.a()).price()));
            assertEquals(nextBody, miss(h));
        });
    }
}
