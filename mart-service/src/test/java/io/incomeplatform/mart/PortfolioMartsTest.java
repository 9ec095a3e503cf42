package io.incomeplatform.mart;

import io.incomeplatform.mart.service.PortfolioMartService;
import io.incomeplatform.mart.service.RefreshService;
import io.incomeplatform.mart.support.Db;
import io.incomeplatform.mart.support.Refresh;
import io.incomeplatform.mart.support.Tokens;
import io.incomeplatform.mart.support.UpstreamMigrations;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.pubsub.PubSubCommands;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Date;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Portfolio marts on a hand-worked ledger. Benchmark MTPB trades on 2026-03-06 (95), 05-08 (100),
 * 06-01 (100), 06-02 (102), 06-03 (101), 06-04 (103), 06-05 (103), 06-08 (104) and pays 1.00 (ex 06-04,
 * paid 06-05); as-of = 2026-06-08.
 */
@QuarkusTest
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class PortfolioMartsTest {

    static final String[] SYMBOLS = {"MTPB", "MTP1", "MTP2", "MTP3", "MTP4"};
    static final UUID ALL = new UUID(0, 0);

    @Inject
    PortfolioMartService portfolios;

    @Inject
    RefreshService refresh;

    @Inject
    RedisDataSource redis;

    final UUID trader = UUID.randomUUID();
    final UUID holder = UUID.randomUUID();
    final UUID traderPortfolio = UUID.randomUUID();
    final UUID holderPortfolio = UUID.randomUUID();

    @BeforeEach
    void market() {
        String p = Db.PROCESSING;
        for (String table : List.of("raw.price_bars", "raw.dividends", "raw.securities")) {
            Db.exec(p, "DELETE FROM " + table + " WHERE symbol = ANY(?)", (Object) SYMBOLS);
        }
        Db.exec(p, """
                INSERT INTO raw.securities (symbol, name, asset_type, industry, source) VALUES
                ('MTPB', 'Portfolio Benchmark', 'etf', 'Index', 'api'), ('MTP1', 'P One', 'stock', 'Portfolio Fixture', 'api'),
                ('MTP2', 'P Two', 'stock', 'Portfolio Fixture', 'api'), ('MTP3', 'P Three', 'stock', 'Portfolio Fixture', 'api'),
                ('MTP4', 'P Four', 'stock', 'Portfolio Fixture', 'api')""");
        Db.exec(p, """
                INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume)
                SELECT symbol, date::date, 'polygon', close, close, close, close, 1 FROM (VALUES
                ('MTPB', '2026-03-06', 95), ('MTPB', '2026-05-08', 100), ('MTPB', '2026-06-01', 100),
                ('MTPB', '2026-06-02', 102), ('MTPB', '2026-06-03', 101), ('MTPB', '2026-06-04', 103),
                ('MTPB', '2026-06-05', 103), ('MTPB', '2026-06-08', 104),
                ('MTP1', '2026-06-01', 49), ('MTP1', '2026-06-02', 51), ('MTP1', '2026-06-03', 25),
                ('MTP1', '2026-06-04', 26), ('MTP1', '2026-06-05', 27), ('MTP1', '2026-06-08', 27),
                ('MTP2', '2026-06-05', 20), ('MTP2', '2026-06-08', 21),
                ('MTP3', '2025-06-06', 100), ('MTP3', '2026-06-08', 110),
                ('MTP4', '2026-06-08', 1.000000000000000000000001)) AS v(symbol, date, close)""");
        Db.exec(p, """
                INSERT INTO raw.dividends (symbol, ex_date, source, pay_date, amount, type) VALUES
                ('MTPB', '2026-06-04', 'polygon', '2026-06-05', 1.00, 'regular'),
                ('MTP1', '2026-06-04', 'polygon', '2026-06-05', 0.50, 'regular')""");
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200);
    }

    @AfterEach
    void removeUsers() {
        for (UUID user : List.of(trader, holder)) {
            Db.exec(Db.SERVING, "DELETE FROM app.transactions WHERE user_id = ?", user);
            Db.exec(Db.SERVING, "DELETE FROM app.portfolios WHERE user_id = ?", user);
            Db.exec(Db.SERVING, "DELETE FROM app.profiles WHERE user_id = ?", user);
            Db.exec(Db.SERVING, "DELETE FROM serving.portfolio_performance WHERE user_id = ?", user);
            Db.exec(Db.SERVING, "DELETE FROM serving.portfolio_summary WHERE user_id = ?", user);
        }
    }

    private void ledger(UUID user, UUID portfolio, String... rows) {
        Db.exec(Db.SERVING, "INSERT INTO app.profiles (user_id, benchmark) VALUES (?, 'MTPB')", user);
        Db.exec(Db.SERVING, "INSERT INTO app.portfolios (id, user_id, name) VALUES (?, ?, 'Main')", portfolio, user);
        for (String row : rows) {
            String[] f = row.split(",");
            Db.exec(Db.SERVING, """
                            INSERT INTO app.transactions (id, portfolio_id, user_id, type, symbol, trade_date, shares, price, fee, created_by)
                            VALUES (?, ?, ?, ?, ?, ?::date, ?::numeric, ?::numeric, ?::numeric, ?)""",
                    UUID.randomUUID(), portfolio, user, f[0], f[1], f[2], f[3], f[4].isEmpty() ? null : f[4], f[5], user);
        }
    }

    private static BigDecimal ratio(long numerator, long denominator) {
        return BigDecimal.valueOf(numerator).divide(BigDecimal.valueOf(denominator), MathContext.DECIMAL128);
    }

    private static void assertClose(BigDecimal expected, Object actual, String what) {
        assertTrue(actual != null && expected.subtract((BigDecimal) actual).abs().compareTo(new BigDecimal("1e-20")) < 0,
                what + ": expected " + expected + " but was " + actual);
    }

    private Map<String, Map<String, Object>> performance(UUID user, UUID scope) {
        Map<String, Map<String, Object>> byPeriod = new java.util.HashMap<>();
        Db.query(Db.SERVING, "SELECT * FROM serving.portfolio_performance WHERE user_id = ? AND scope_id = ?", user, scope)
                .forEach(r -> byPeriod.put((String) r.get("period"), r));
        return byPeriod;
    }

    @Test
    void shouldComputeTimeWeightedReturnsWithBuysASellASplitAndDividends() {
        // BUY 10 MTP1 @50 fee 5 (06-02); SPLIT 2 (06-03); SELL 5 @26 fee 1 (06-04); BUY 5 MTP2 @20 on Saturday 06-06.
        ledger(trader, traderPortfolio, "BUY,MTP1,2026-06-02,10,50,5", "SPLIT,MTP1,2026-06-03,2,,0",
                "SELL,MTP1,2026-06-04,5,26,1", "BUY,MTP2,2026-06-06,5,20,0");
        portfolios.recomputeAll().await().atMost(Duration.ofSeconds(30));

        // Daily returns r(d) = (V(d) + D(d) + S(d)) / (V(d') + B(d)) - 1:
        //   06-01: nothing held -> 0
        //   06-02: V = 10 x 51 = 510, B = 505                    -> 510/505
        //   06-03: split, V = 20 x 25 = 500                      -> 500/510
        //   06-04: sell 5: S = 130 - 1 = 129, V = 15 x 26 = 390  -> (390 + 129)/500 = 519/500
        //   06-05: dividend 20 shares (held before ex 06-04) x 0.50 = 10, V = 15 x 27 = 405 -> 415/390
        //   06-08: Saturday's buy folds in: B = 100, V = 405 + 5 x 21 = 510 -> 510/505
        // product = 519 x 415 x 510 / (505 x 390 x 505) = 732309/663065
        BigDecimal twr = ratio(732309, 663065).subtract(BigDecimal.ONE);
        for (UUID scope : List.of(traderPortfolio, ALL)) {
            Map<String, Map<String, Object>> perf = performance(trader, scope);
            assertEquals(7, perf.size());
            // 1m: 2026-05-08 is a benchmark day; V = 0 there but a BUY follows, so the return is defined.
            assertEquals(Date.valueOf("2026-05-08"), perf.get("1m").get("start_date"));
            assertClose(twr, perf.get("1m").get("portfolio_return"), "1m");
            // Benchmark (one share, dividends in): 102/100 x 101/102 x 103/101 x (103 + 1)/103 x 104/103 = 104 x 104 / (100 x 103)
            assertClose(ratio(129, 2575), perf.get("1m").get("benchmark_return"), "1m benchmark");
            // 3m: 2026-03-08 -> benchmark day 03-06 (95): the benchmark also gains 100/95 -> 1081600/978500 - 1 = 1031/9785
            assertEquals(Date.valueOf("2026-03-06"), perf.get("3m").get("start_date"));
            assertClose(twr, perf.get("3m").get("portfolio_return"), "3m");
            assertClose(ratio(1031, 9785), perf.get("3m").get("benchmark_return"), "3m benchmark");
            // 6m and longer: no benchmark day on or before 2025-12-08 -> null.
            assertNull(perf.get("6m").get("portfolio_return"));
            assertNull(perf.get("6m").get("benchmark_return"));
            assertNull(perf.get("5y").get("start_date"));
            // max: since the day before the first transaction.
            assertClose(twr, perf.get("max").get("portfolio_return"), "max");
            assertClose(ratio(129, 2575), perf.get("max").get("benchmark_return"), "max benchmark");
            assertEquals("MTPB", perf.get("max").get("benchmark"));
            assertEquals(Date.valueOf("2026-06-08"), perf.get("max").get("as_of"));
        }
        Map<String, Object> summary = Db.one(Db.SERVING,
                "SELECT * FROM serving.portfolio_summary WHERE user_id = ? AND scope_id = ?", trader, ALL);
        assertClose(new BigDecimal("510"), summary.get("portfolio_value"), "15 x 27 + 5 x 21");
        assertEquals(Date.valueOf("2026-06-02"), summary.get("first_transaction_date"));
    }

    @Test
    void shouldComputeTheMoneyWeightedReturnAndNullWhenNothingWasHeld() {
        // 10 MTP3 bought for 1000 on 2025-06-08, worth 10 x 110 = 1100 exactly 365 days later: 10 % a year.
        ledger(holder, holderPortfolio, "BUY,MTP3,2025-06-08,10,100,0");
        portfolios.recomputeAll().await().atMost(Duration.ofSeconds(30));
        Map<String, Object> summary = Db.one(Db.SERVING,
                "SELECT * FROM serving.portfolio_summary WHERE user_id = ? AND scope_id = ?", holder, holderPortfolio);
        assertClose(new BigDecimal("1100"), summary.get("portfolio_value"), "value");
        assertTrue(new BigDecimal("0.1").subtract((BigDecimal) summary.get("mwr_annualized")).abs()
                .compareTo(new BigDecimal("1e-9")) < 0, "mwr " + summary.get("mwr_annualized"));
        Map<String, Map<String, Object>> perf = performance(holder, holderPortfolio);
        // 1m: V(05-08) = 10 x 100 (carried from 2025-06-06) = 1000; only 06-08 moves: 1100/1000 - 1.
        assertClose(new BigDecimal("0.1"), perf.get("1m").get("portfolio_return"), "1m");
        assertClose(new BigDecimal("0.1"), perf.get("max").get("portfolio_return"), "max");
    }

    @Test
    void shouldGiveANullReturnWhenNothingWasHeldAtTheStartAndNothingWasBought() {
        // Bought and sold before the 1m start (2026-05-08): V(start) = 0 and no BUY after it.
        ledger(holder, holderPortfolio, "BUY,MTP3,2025-06-08,10,100,0", "SELL,MTP3,2025-06-09,10,100,0");
        portfolios.recomputeAll().await().atMost(Duration.ofSeconds(30));
        Map<String, Map<String, Object>> perf = performance(holder, holderPortfolio);
        assertNull(perf.get("1m").get("portfolio_return"));
        assertClose(ratio(129, 2575), perf.get("1m").get("benchmark_return"), "the benchmark still has a return");
    }

    @Test
    void shouldValueFractionalSharesAndACloseOfMoreDigitsThanALongHoldsExactly() {
        // 3.333333333 MTP3 (9 decimals) x 110 = 366.666666630; 2 MTP4 at a 25-digit close = 2.000000000000000000000002:
        // the sum keeps every digit and the larger scale, 24.
        ledger(holder, holderPortfolio, "BUY,MTP3,2025-06-08,3.333333333,100,0", "BUY,MTP4,2026-06-08,2,1,0");
        portfolios.recomputeAll().await().atMost(Duration.ofSeconds(30));
        assertEquals(new BigDecimal("368.666666630000000000000002"), Db.one(Db.SERVING,
                "SELECT portfolio_value FROM serving.portfolio_summary WHERE user_id = ? AND scope_id = ?", holder, ALL)
                .get("portfolio_value"));
        // 1m from 05-08: V = 333.3333333 until 06-08, when the buy of 2 (cost 2) comes in:
        // (366.666666630 + 2.000000000000000000000002) / (333.3333333 + 2) - 1
        BigDecimal expected = new BigDecimal("368.666666630000000000000002")
                .divide(new BigDecimal("335.3333333"), MathContext.DECIMAL128).subtract(BigDecimal.ONE);
        assertEquals(0, expected.compareTo((BigDecimal) performance(holder, holderPortfolio).get("1m").get("portfolio_return")));
    }

    @Test
    void shouldRecomputeOneUserOnDemandAndRejectABadUserId() {
        ledger(holder, holderPortfolio, "BUY,MTP3,2025-06-08,10,100,0");
        given().auth().oauth2(Tokens.operator()).post("/api/v1/marts/portfolios/refresh?userId=" + holder)
                .then().statusCode(200);
        // 7 periods x (the portfolio + the all-portfolios scope)
        assertEquals(14, Db.count(Db.SERVING, "SELECT count(*) FROM serving.portfolio_performance WHERE user_id = ?", holder));
        given().auth().oauth2(Tokens.operator()).post("/api/v1/marts/portfolios/refresh?userId=nope")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(Tokens.user()).post("/api/v1/marts/portfolios/refresh").then().statusCode(403);
    }

    @Test
    void shouldRecomputeAUserWithinASecondOfAPortfolioChange() {
        List<String> notices = new CopyOnWriteArrayList<>();
        PubSubCommands.RedisSubscriber subscriber = redis.pubsub(String.class).subscribe("income:marts-refreshed", notices::add);
        try {
            ledger(holder, holderPortfolio, "BUY,MTP3,2025-06-08,10,100,0");
            long start = System.nanoTime();
            redis.pubsub(String.class).publish("income:portfolio-changed",
                    "{\"userId\":\"" + holder + "\",\"portfolioId\":\"" + holderPortfolio + "\",\"symbols\":[\"MTP3\"]}");
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() -> !Db.query(Db.SERVING,
                    "SELECT 1 FROM serving.portfolio_summary WHERE user_id = ?", holder).isEmpty());
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs < 1000, "took " + tookMs + " ms");
            await().atMost(Duration.ofSeconds(2)).until(() -> notices.stream().anyMatch(n -> n.contains(holder.toString())));
        } finally {
            subscriber.unsubscribe();
        }
    }

    private Object computedAt(UUID user) {
        return Db.one(Db.SERVING, "SELECT computed_at FROM serving.portfolio_summary WHERE user_id = ? AND scope_id = ?", user, ALL)
                .get("computed_at");
    }

    /** Both users computed once, and the change log drained (the fixture's full load listed every symbol). */
    private void traderAndHolderComputed() {
        ledger(trader, traderPortfolio, "BUY,MTP1,2026-06-02,10,50,5");
        ledger(holder, holderPortfolio, "BUY,MTP3,2025-06-08,10,100,0");
        portfolios.recomputeChanged().await().atMost(Duration.ofSeconds(30));
    }

    private void rawChanged(String dataType, String symbol, String date) {
        redis.pubsub(String.class).publish("income:raw-changed", "{\"dataType\":\"" + dataType + "\",\"symbols\":[\"" + symbol
                + "\"],\"from\":\"" + date + "\",\"to\":\"" + date + "\",\"rows\":1}");
    }

    @Test
    void shouldRecomputeOnlyTheUsersHoldingASymbolWhoseDividendsChanged() {
        traderAndHolderComputed();
        Object traderComputedAt = computedAt(trader);
        Object holderComputedAt = computedAt(holder);
        long changesBefore = Db.count(Db.PROCESSING, "SELECT coalesce(max(id), 0) FROM mart.changes");
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.dividends (symbol, ex_date, source, pay_date, amount, type)
                VALUES ('MTP3', '2026-06-01', 'polygon', '2026-06-03', 1.00, 'regular')""");
        rawChanged("dividends", "MTP3", "2026-06-01");
        // A new MTP3 change with this dividend in staging (the load records both in one transaction; an
        // older pending MTP3 change, or a refresh already under way, would not have it), then the event's
        // refresh finished, so that it does not race the pass below.
        await().atMost(Duration.ofSeconds(15)).until(() -> Db.count(Db.PROCESSING, """
                SELECT count(*) FROM mart.changes c, staging.dividends d
                WHERE c.id > ? AND c.relation IS NULL AND c.symbol = 'MTP3' AND d.symbol = 'MTP3' AND d.ex_date = '2026-06-01'""",
                changesBefore) >= 1);
        await().atMost(Duration.ofSeconds(15)).until(() -> !refresh.isRunning());

        portfolios.recomputeChanged().await().atMost(Duration.ofSeconds(30));
        assertEquals(traderComputedAt, computedAt(trader), "the trader holds no MTP3");
        assertTrue(!holderComputedAt.equals(computedAt(holder)), "the holder was recomputed");
        // 1m from 05-08: V = 1000 until 06-08; 10 x 1.00 received on 06-03: r = 1010/1000; 06-08: 1100/1000.
        // 1.01 x 1.1 - 1 = 0.111
        assertClose(new BigDecimal("0.111"), performance(holder, holderPortfolio).get("1m").get("portfolio_return"), "1m");
    }

    @Test
    void shouldRecomputeEveryUserOfABenchmarkOnItsNewTradingDay() {
        traderAndHolderComputed();
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume)
                VALUES ('MTPB', '2026-06-09', 'polygon', 105, 105, 105, 105, 1)""");
        rawChanged("bars", "MTPB", "2026-06-09");
        await().atMost(Duration.ofSeconds(15)).until(() -> Db.count(Db.PROCESSING,
                "SELECT count(*) FROM staging.daily_prices WHERE symbol = 'MTPB' AND date = '2026-06-09'") == 1);
        // The event's refresh goes on after staging (marts, changes, sync): the passes below must not race it.
        await().atMost(Duration.ofSeconds(15)).until(() -> !refresh.isRunning());

        portfolios.recomputeChanged().await().atMost(Duration.ofSeconds(30));
        for (UUID user : List.of(trader, holder)) {
            Map<String, Object> oneMonth = performance(user, ALL).get("1m");
            assertEquals(Date.valueOf("2026-06-09"), oneMonth.get("as_of"));
            // 1m from 2026-05-09 -> benchmark day 05-08 (100): 104 x 104 / (100 x 103) x 105/104 - 1 = 10920/10300 - 1
            assertClose(ratio(31, 515), oneMonth.get("benchmark_return"), "1m benchmark");
        }
        // Nothing changed since: the next pass recomputes neither.
        Object traderComputedAt = computedAt(trader);
        Object holderComputedAt = computedAt(holder);
        portfolios.recomputeChanged().await().atMost(Duration.ofSeconds(30));
        assertEquals(traderComputedAt, computedAt(trader));
        assertEquals(holderComputedAt, computedAt(holder));
    }

    @Test
    void shouldRecomputeAUserWhoseLedgerChangedWithoutAnEvent() {
        traderAndHolderComputed();
        Object traderComputedAt = computedAt(trader);
        Db.exec(Db.SERVING, """
                INSERT INTO app.transactions (id, portfolio_id, user_id, type, symbol, trade_date, shares, price, fee, created_by)
                VALUES (?, ?, ?, 'BUY', 'MTP3', '2026-06-08', 10, 110, 0, ?)""", UUID.randomUUID(), holderPortfolio, holder, holder);

        portfolios.recomputeChanged().await().atMost(Duration.ofSeconds(30));
        assertEquals(traderComputedAt, computedAt(trader));
        assertClose(new BigDecimal("2200"), Db.one(Db.SERVING,
                "SELECT portfolio_value FROM serving.portfolio_summary WHERE user_id = ? AND scope_id = ?", holder, ALL)
                .get("portfolio_value"), "20 x 110");
        // A deleted portfolio takes the user's rows with it on the next pass.
        Db.exec(Db.SERVING, "UPDATE app.portfolios SET deleted_at = now() WHERE id = ?", holderPortfolio);
        portfolios.recomputeChanged().await().atMost(Duration.ofSeconds(30));
        assertEquals(0, Db.count(Db.SERVING, "SELECT count(*) FROM serving.portfolio_summary WHERE user_id = ?", holder));
    }
}
