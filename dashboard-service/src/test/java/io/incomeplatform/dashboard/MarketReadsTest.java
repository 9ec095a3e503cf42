package io.incomeplatform.dashboard;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
class MarketReadsTest {

    final String token = TestSupport.token(UUID.randomUUID());

    @Inject
    RedisDataSource redis;

    static void sql(String statement, Object... params) {
        TestSupport.martRow(statement, params);
    }

    @Test
    void shouldServeAStockAndRefuseAnUnknownOne() {
        String symbol = TestSupport.uniqueSymbol();
        TestSupport.stock(symbol, "reit", "Real Estate", "42.5", LocalDate.of(2026, 11, 20), "2.4");
        sql("UPDATE serving.stocks_summary SET change_1y = 0.12, change_max = 1.5, high_52w = 45 WHERE symbol = ?", symbol);
        TestSupport.retryingIfMartsWereReplaced(() -> {
            given().auth().oauth2(token).get("/api/v1/stocks/" + symbol.toLowerCase()).then().statusCode(200)
                    .body("symbol", equalTo(symbol)).body("assetType", equalTo("reit")).body("price", equalTo(42.5f))
                    .body("priceDate", equalTo("2026-11-20")).body("forwardDividend", equalTo(2.4f)).body("high52w", equalTo(45))
                    .body("changes.1y", equalTo(0.12f)).body("changes.max", equalTo(1.5f)).body("changes.3m", nullValue());
            given().auth().oauth2(token).get("/api/v1/stocks/NOSUCH9").then().statusCode(404).contentType("application/problem+json");
            given().get("/api/v1/stocks/" + symbol).then().statusCode(401);
        });
    }

    @Test
    void shouldFilterSortAndCapTheScreener() {
        String sector = "Sector " + UUID.randomUUID();
        String high = TestSupport.uniqueSymbol();
        String low = TestSupport.uniqueSymbol();
        String none = TestSupport.uniqueSymbol();
        // The screener reads serving.screener_results, a view of stocks_summary (serving V7).
        String insert = "INSERT INTO serving.stocks_summary (symbol, name, asset_type, sector, ttm_yield, forward_yield, frequency, market_cap)"
                + " VALUES (?, 'x', 'stock', ?, ?, ?, ?, ?)";
        sql(insert, high, sector, new java.math.BigDecimal("0.05"), new java.math.BigDecimal("0.06"), 4, new java.math.BigDecimal("100"));
        sql(insert, low, sector, new java.math.BigDecimal("0.03"), new java.math.BigDecimal("0.02"), 12, new java.math.BigDecimal("300"));
        sql(insert, none, sector, null, null, null, new java.math.BigDecimal("200"));

        TestSupport.retryingIfMartsWereReplaced(() -> {
            given().auth().oauth2(token).queryParam("sector", sector).get("/api/v1/screener").then().statusCode(200)
                    .body("results.symbol", equalTo(List.of(high, low, none))).body("sort", equalTo("-ttmYield"));
            given().auth().oauth2(token).queryParam("sector", sector).queryParam("sort", "ttmYield").get("/api/v1/screener").then()
                    .body("results.symbol", equalTo(List.of(low, high, none)));
            given().auth().oauth2(token).queryParam("sector", sector).queryParam("sort", "-marketCap").get("/api/v1/screener").then()
                    .body("results.symbol", equalTo(List.of(low, none, high)));
            given().auth().oauth2(token).queryParam("sector", sector).queryParam("minYield", "0.04").get("/api/v1/screener").then()
                    .body("results.symbol", equalTo(List.of(high)));
            given().auth().oauth2(token).queryParam("sector", sector).queryParam("frequency", "12").get("/api/v1/screener").then()
                    .body("results.symbol", equalTo(List.of(low)));
            given().auth().oauth2(token).queryParam("sector", sector).queryParam("limit", "1").get("/api/v1/screener").then()
                    .body("results", hasSize(1));
            given().auth().oauth2(token).queryParam("sector", sector).queryParam("limit", "100000").get("/api/v1/screener").then()
                    .statusCode(200).body("limit", equalTo(200));
        });
        given().auth().oauth2(token).queryParam("sort", "name; DROP TABLE x").queryParam("frequency", "3").queryParam("minYield", "abc")
                .queryParam("limit", "0").get("/api/v1/screener").then().statusCode(400)
                .body("errors.field", hasItems("sort", "frequency", "minYield", "limit"));
        given().auth().oauth2(token).queryParam("minYield", "0.05").queryParam("maxYield", "0.01").get("/api/v1/screener").then()
                .statusCode(400).body("errors[0].field", equalTo("maxYield"));
    }

    @Test
    void shouldListTheDividendCalendarByExDateThenSymbolWithinACappedRange() {
        String[] symbols = {TestSupport.uniqueSymbol(), TestSupport.uniqueSymbol()};
        Arrays.sort(symbols);
        String first = symbols[0];
        String second = symbols[1];
        TestSupport.dividend(second, LocalDate.of(2026, 12, 1), LocalDate.of(2026, 12, 15), "0.5", "announced");
        TestSupport.dividend(first, LocalDate.of(2026, 12, 1), null, "0.25", "projected");
        TestSupport.dividend(first, LocalDate.of(2026, 11, 2), LocalDate.of(2026, 11, 16), "0.25", "paid");
        TestSupport.dividend(first, LocalDate.of(2027, 3, 1), LocalDate.of(2027, 3, 15), "0.25", "projected");
        TestSupport.retryingIfMartsWereReplaced(() -> {
            given().auth().oauth2(token).queryParam("from", "2026-11-01").queryParam("to", "2026-12-31")
                    .queryParam("symbols", first.toLowerCase() + "," + second).get("/api/v1/dividends/calendar").then().statusCode(200)
                    .body("from", equalTo("2026-11-01")).body("to", equalTo("2026-12-31"))
                    .body("dividends.symbol", equalTo(List.of(first, first, second)))
                    .body("dividends.exDate", equalTo(List.of("2026-11-02", "2026-12-01", "2026-12-01")))
                    .body("dividends.status", equalTo(List.of("paid", "projected", "announced")))
                    .body("dividends[1].payDate", nullValue());
        });
        given().auth().oauth2(token).queryParam("from", "2026-01-01").queryParam("to", "2028-01-01")
                .get("/api/v1/dividends/calendar").then().statusCode(400).body("errors[0].field", equalTo("to"));
        given().auth().oauth2(token).queryParam("from", "2026-12-01").queryParam("to", "2026-11-01")
                .get("/api/v1/dividends/calendar").then().statusCode(400);
        given().auth().oauth2(token).queryParam("from", "yesterday").get("/api/v1/dividends/calendar").then().statusCode(400)
                .body("errors[0].field", equalTo("from"));
    }

    @Test
    void shouldServeTheTreemapTopNPerIndustryByTheChosenRank() {
        String industry = "Industry " + UUID.randomUUID();
        String a = TestSupport.uniqueSymbol();
        String b = TestSupport.uniqueSymbol();
        String c = TestSupport.uniqueSymbol();
        String insert = "INSERT INTO serving.treemap (period, metric, symbol, industry, name, current_value, earliest_value, change, rank_current, rank_change)"
                + " VALUES ('6m', 'price', ?, ?, ?, ?, ?, ?, ?, ?)";
        // current: a 300 > b 200 > c 100; change: c +1.0 > b +0.25 > a -0.25.
        sql(insert, a, industry, "A", new java.math.BigDecimal("300"), new java.math.BigDecimal("400"), new java.math.BigDecimal("-0.25"), 1, 3);
        sql(insert, b, industry, "B", new java.math.BigDecimal("200"), new java.math.BigDecimal("160"), new java.math.BigDecimal("0.25"), 2, 2);
        sql(insert, c, industry, "C", new java.math.BigDecimal("100"), new java.math.BigDecimal("50"), new java.math.BigDecimal("1.0"), 3, 1);
        String path = "industries.find { it.industry == '" + industry + "' }.stocks";
        TestSupport.retryingIfMartsWereReplaced(() -> {
            given().auth().oauth2(token).queryParam("period", "6m").queryParam("limit", "2").get("/api/v1/treemap").then().statusCode(200)
                    .body("period", equalTo("6m")).body("mode", equalTo("current")).body("metric", equalTo("price"))
                    .body(path + ".symbol", equalTo(List.of(a, b))).body(path + "[0].current", equalTo(300)).body(path + "[0].earliest", equalTo(400));
            given().auth().oauth2(token).queryParam("period", "6m").queryParam("limit", "2").queryParam("mode", "percentage_change")
                    .get("/api/v1/treemap").then().statusCode(200).body(path + ".symbol", equalTo(List.of(c, b)));
        });
        given().auth().oauth2(token).queryParam("period", "10y").queryParam("mode", "best").queryParam("metric", "volume")
                .queryParam("limit", "500").get("/api/v1/treemap").then().statusCode(400)
                .body("errors.field", hasItems("period", "mode", "metric", "limit"));
    }

    @Test
    void shouldServeEtfHoldingsByWeight() {
        String etf = TestSupport.uniqueSymbol();
        String insert = "INSERT INTO serving.etf_holdings (etf_symbol, holding_symbol, as_of, weight, shares, market_value) VALUES (?, ?, ?, ?, ?, ?)";
        sql(insert, etf, "AAA", LocalDate.of(2026, 11, 19), new java.math.BigDecimal("0.1"), new java.math.BigDecimal("1000"), new java.math.BigDecimal("50000"));
        sql(insert, etf, "BBB", LocalDate.of(2026, 11, 19), new java.math.BigDecimal("0.3"), null, null);
        TestSupport.retryingIfMartsWereReplaced(() -> {
            given().auth().oauth2(token).get("/api/v1/etfs/" + etf + "/holdings").then().statusCode(200)
                    .body("etfSymbol", equalTo(etf)).body("asOf", equalTo("2026-11-19"))
                    .body("holdings.symbol", equalTo(List.of("BBB", "AAA"))).body("holdings[1].marketValue", equalTo(50000));
        });
        given().auth().oauth2(token).get("/api/v1/etfs/NOSUCH8/holdings").then().statusCode(404);
    }

    @Test
    void shouldAnswerARepeatedMarketReadFromThisReplicasMemoryForItsLocalTtl() {
        String symbol = TestSupport.uniqueSymbol();
        TestSupport.stock(symbol, "stock", "Technology", "10", LocalDate.of(2026, 11, 20), "1");
        TestSupport.retryingIfMartsWereReplaced(() -> given().auth().oauth2(token).get("/api/v1/stocks/" + symbol).then()
                .statusCode(200).body("price", equalTo(10)));
        // The mart changes and the Redis copy is gone: only this replica's memory still has price 10.
        sql("UPDATE serving.stocks_summary SET price = 12 WHERE symbol = ?", symbol);
        redis.key().del("income:market-cache:stock:" + symbol);
        given().auth().oauth2(token).get("/api/v1/stocks/" + symbol).then().statusCode(200).body("price", equalTo(10));
        // After dashboard.cache.market-local-ttl (5 s) the read goes to the database again.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            redis.key().del("income:market-cache:stock:" + symbol);
            given().auth().oauth2(token).get("/api/v1/stocks/" + symbol).then().statusCode(200).body("price", equalTo(12));
        });
    }
}
