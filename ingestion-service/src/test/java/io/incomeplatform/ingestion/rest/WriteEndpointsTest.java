package io.incomeplatform.ingestion.rest;

import io.incomeplatform.ingestion.TestSupport;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static io.incomeplatform.ingestion.TestSupport.count;
import static io.incomeplatform.ingestion.TestSupport.operatorToken;
import static io.incomeplatform.ingestion.TestSupport.rows;
import static io.incomeplatform.ingestion.TestSupport.uniqueSymbol;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class WriteEndpointsTest {

    @Inject
    Pool pool;

    private static io.restassured.specification.RequestSpecification operator() {
        return given().auth().oauth2(operatorToken());
    }

    @Test
    void shouldStoreTicksFromJsonArrayAndUpperCaseSymbols() {
        String symbol = uniqueSymbol();
        String body = """
                [{"symbol":"%s","ts":"2026-11-20T15:30:00Z","price":101.25,"volume":300,"source":"Feed-A"},
                 {"symbol":"%s","ts":"2026-11-20T15:31:00-05:00","price":101.5}]"""
                .formatted(symbol.toLowerCase(), symbol);
        operator().contentType(ContentType.JSON).body(body).post("/api/v1/ticks")
                .then().statusCode(200).body("accepted", equalTo(2)).body("duplicates", equalTo(0))
                .body("rejected", hasSize(0));

        List<Row> stored = rows(pool, "SELECT price, volume, source, ts FROM raw.price_ticks WHERE symbol = $1 ORDER BY ts",
                symbol);
        assertEquals(2, stored.size());
        assertEquals(new BigDecimal("101.25"), stored.get(0).getBigDecimal("price"));
        assertEquals(300L, stored.get(0).getLong("volume"));
        assertEquals("feed-a", stored.get(0).getString("source"));
        // no source given: the default "api"; 15:31 at -05:00 is 20:31 UTC
        assertEquals("api", stored.get(1).getString("source"));
        assertEquals(Instant.parse("2026-11-20T20:31:00Z"), stored.get(1).getOffsetDateTime("ts").toInstant());
    }

    @Test
    void shouldStoreBarsFromNdjson() {
        String symbol = uniqueSymbol();
        String body = """
                {"symbol":"%1$s","date":"2026-11-19","open":10,"high":12,"low":9.5,"close":11,"adjClose":10.9,"volume":1000,"source":"polygon"}

                {"symbol":"%1$s","date":"2026-11-20","open":11,"high":11.5,"low":10.5,"close":11.2,"volume":0}
                """.formatted(symbol);
        operator().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8)).post("/api/v1/bars")
                .then().statusCode(200).body("accepted", equalTo(2)).body("duplicates", equalTo(0));

        List<Row> stored = rows(pool, "SELECT date, close, adj_close, source FROM raw.price_bars WHERE symbol = $1 ORDER BY date",
                symbol);
        assertEquals(2, stored.size());
        assertEquals(LocalDate.parse("2026-11-19"), stored.get(0).getLocalDate("date"));
        assertEquals(new BigDecimal("10.9"), stored.get(0).getBigDecimal("adj_close"));
        assertEquals("polygon", stored.get(0).getString("source"));
        assertEquals(null, stored.get(1).getBigDecimal("adj_close"));
    }

    @Test
    void shouldStoreDividendsFromCsvWithQuotedCells() {
        String symbol = uniqueSymbol();
        String body = "symbol,exDate,payDate,recordDate,declaredDate,amount,currency,type,source\r\n"
                + symbol + ",2026-10-30,2026-11-14,2026-10-31,2026-10-15,0.2625,usd,\"regular\",nasdaq\r\n"
                + symbol + ",2026-12-30,,,,\"1.5\",,special,nasdaq\r\n";
        operator().contentType("text/csv").body(body).post("/api/v1/dividends")
                .then().statusCode(200).body("accepted", equalTo(2)).body("rejected", hasSize(0));

        List<Row> stored = rows(pool, "SELECT ex_date, pay_date, amount, currency, type FROM raw.dividends "
                + "WHERE symbol = $1 ORDER BY ex_date", symbol);
        assertEquals(2, stored.size());
        assertEquals(new BigDecimal("0.2625"), stored.get(0).getBigDecimal("amount"));
        assertEquals("USD", stored.get(0).getString("currency"));
        assertEquals(LocalDate.parse("2026-11-14"), stored.get(0).getLocalDate("pay_date"));
        assertEquals("special", stored.get(1).getString("type"));
        assertEquals("USD", stored.get(1).getString("currency"));
    }

    @Test
    void shouldUpsertSecuritiesAndCountIdenticalOnesAsDuplicates() {
        String symbol = uniqueSymbol();
        String first = """
                [{"symbol":"%s","name":"Realty Test, Inc.","exchange":"nyse","assetType":"REIT","sector":"Real Estate",
                  "industry":"REIT - Retail","marketCap":52000000000,"tier":2}]""".formatted(symbol);
        operator().contentType(ContentType.JSON).body(first).post("/api/v1/securities")
                .then().statusCode(200).body("accepted", equalTo(1)).body("duplicates", equalTo(0));
        operator().contentType(ContentType.JSON).body(first).post("/api/v1/securities")
                .then().statusCode(200).body("accepted", equalTo(0)).body("duplicates", equalTo(1));

        // A changed name without a tier updates the row and keeps tier 2.
        String csv = "symbol,name,assetType\n" + symbol + ",\"Realty Test \"\"New\"\"\",reit\n";
        operator().contentType("text/csv").body(csv).post("/api/v1/securities")
                .then().statusCode(200).body("accepted", equalTo(1));
        Row row = rows(pool, "SELECT name, tier, exchange, asset_type, currency FROM raw.securities WHERE symbol = $1",
                symbol).get(0);
        assertEquals("Realty Test \"New\"", row.getString("name"));
        assertEquals(2, row.getInteger("tier"));
        assertEquals("reit", row.getString("asset_type"));
        assertEquals("USD", row.getString("currency"));
    }

    @Test
    void shouldStoreEtfHoldingsAndRejectWeightsOutsideZeroToOne() {
        String etf = uniqueSymbol();
        String body = "etfSymbol,asOf,holdingSymbol,weight,shares,marketValue\n"
                + etf + ",2026-11-20,AAPL,0.071,1000,230000\n"
                + etf + ",2026-11-20,MSFT,1.2,10,4000\n"
                + etf + ",2026-11-20,JPM,-0.01,10,2500\n";
        operator().contentType("text/csv").body(body).post("/api/v1/etf-holdings")
                .then().statusCode(200).body("accepted", equalTo(1))
                .body("rejected", hasSize(2))
                .body("rejected[0].index", equalTo(1)).body("rejected[0].reason", equalTo("weight must be between 0 and 1"))
                .body("rejected[1].index", equalTo(2));
        assertEquals(1, count(pool, "SELECT count(*) FROM raw.etf_holdings WHERE etf_symbol = $1", etf));
        assertEquals(2, count(pool, "SELECT count(*) FROM raw.rejected_records WHERE endpoint = 'etf-holdings' "
                + "AND payload LIKE $1", etf + ",%"));
    }

    @Test
    void shouldStoreShortPositionsAndRejectFractionsAboveOne() {
        String symbol = uniqueSymbol();
        String body = """
                {"symbol":"%1$s","date":"2026-11-14","shortPosition":0.0312,"source":"finra"}
                {"symbol":"%1$s","date":"2026-11-15","shortPosition":1.5}
                """.formatted(symbol);
        operator().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8)).post("/api/v1/short-positions")
                .then().statusCode(200).body("accepted", equalTo(1))
                .body("rejected[0].index", equalTo(1))
                .body("rejected[0].reason", equalTo("shortPosition must be between 0 and 1"));
        assertEquals(1, count(pool, "SELECT count(*) FROM raw.short_positions WHERE symbol = $1", symbol));
    }

    @Test
    void shouldCountResentRecordsAsDuplicatesAndChangeNothing() {
        String symbol = uniqueSymbol();
        String body = """
                [{"symbol":"%1$s","ts":"2026-11-20T15:30:00Z","price":50},
                 {"symbol":"%1$s","ts":"2026-11-20T15:30:01Z","price":50.5},
                 {"symbol":"%1$s","ts":"2026-11-20T15:30:01Z","price":99}]""".formatted(symbol);
        // the third repeats the second's key inside the batch: a duplicate already on the first send
        operator().contentType(ContentType.JSON).body(body).post("/api/v1/ticks")
                .then().statusCode(200).body("accepted", equalTo(2)).body("duplicates", equalTo(1));
        operator().contentType(ContentType.JSON).body(body).post("/api/v1/ticks")
                .then().statusCode(200).body("accepted", equalTo(0)).body("duplicates", equalTo(3));
        List<Row> stored = rows(pool, "SELECT price FROM raw.price_ticks WHERE symbol = $1 ORDER BY ts", symbol);
        assertEquals(2, stored.size());
        assertEquals(new BigDecimal("50.5"), stored.get(1).getBigDecimal("price"));
    }

    @Test
    void shouldRejectEachBrokenTickRuleByIndexAndKeepTheRecord() {
        String symbol = uniqueSymbol();
        String future = Instant.now().plus(1, ChronoUnit.HOURS).toString();
        String body = """
                [{"symbol":"%1$s","ts":"2026-11-20T15:00:00Z","price":10},
                 {"symbol":"%1$s","ts":"2026-11-20T15:00:01Z","price":-1},
                 {"symbol":"%1$s","ts":"2026-11-20T15:00:02Z","price":0},
                 {"symbol":"%1$s","ts":"2026-11-20T15:00:03Z","price":"12.5"},
                 {"symbol":"%1$s","ts":"%2$s","price":10},
                 {"symbol":"BAD SYMBOL!","ts":"2026-11-20T15:00:05Z","price":10},
                 {"symbol":"%1$s","ts":"2026-11-20 15:00","price":10},
                 {"symbol":"%1$s","ts":"2026-11-20T15:00:07Z","price":10,"volume":-5},
                 {"symbol":"%1$s","ts":"2026-11-20T15:00:08Z","price":10,"volume":1.5},
                 {"ts":"2026-11-20T15:00:09Z","price":10},
                 42]""".formatted(symbol, future);
        operator().contentType(ContentType.JSON).body(body).post("/api/v1/ticks")
                .then().statusCode(200).body("accepted", equalTo(1)).body("rejected", hasSize(10))
                .body("rejected[0].index", equalTo(1)).body("rejected[0].reason", equalTo("price must be a finite number > 0"))
                .body("rejected[1].reason", equalTo("price must be a finite number > 0"))
                .body("rejected[2].reason", equalTo("price must be a number"))
                .body("rejected[3].reason", containsString("ts is in the future"))
                .body("rejected[4].reason", containsString("symbol must be"))
                .body("rejected[5].reason", containsString("ts must be an ISO-8601 instant"))
                .body("rejected[6].reason", equalTo("volume must be >= 0"))
                .body("rejected[7].reason", equalTo("volume must be a whole number"))
                .body("rejected[8].reason", equalTo("symbol is required"))
                .body("rejected[9].index", equalTo(10)).body("rejected[9].reason", equalTo("record must be a JSON object"));
        assertEquals(1, count(pool, "SELECT count(*) FROM raw.price_ticks WHERE symbol = $1", symbol));
        Row kept = rows(pool, "SELECT record_index, reason, source FROM raw.rejected_records WHERE endpoint = 'ticks' "
                + "AND payload LIKE $1 AND record_index = 1", "%" + symbol + "%").get(0);
        assertEquals("price must be a finite number > 0", kept.getString("reason"));
        assertEquals("api", kept.getString("source"));
    }

    @Test
    void shouldRejectNonFiniteCsvNumbers() {
        String symbol = uniqueSymbol();
        String body = "symbol,ts,price\n" + symbol + ",2026-11-20T15:00:00Z,NaN\n" + symbol
                + ",2026-11-20T15:00:01Z,Infinity\n";
        operator().contentType("text/csv").body(body).post("/api/v1/ticks")
                .then().statusCode(200).body("accepted", equalTo(0))
                .body("rejected[0].reason", equalTo("price must be a finite number"))
                .body("rejected[1].reason", equalTo("price must be a finite number"));
    }

    @Test
    void shouldRejectAJsonNumberBeyondDoubleRange() {
        String symbol = uniqueSymbol();
        String body = "[{\"symbol\":\"" + symbol + "\",\"ts\":\"2026-11-20T15:00:00Z\",\"price\":1e400}]";
        operator().contentType("application/json").body(body).post("/api/v1/ticks")
                .then().statusCode(200).body("accepted", equalTo(0))
                .body("rejected[0].reason", equalTo("price must be a finite number"));
    }

    @Test
    void shouldRejectInconsistentOhlcAndBadBarFields() {
        String symbol = uniqueSymbol();
        String tomorrow = LocalDate.now().plusDays(2).toString();
        String body = """
                [{"symbol":"%1$s","date":"2026-11-02","open":10,"high":9,"low":9.5,"close":9.8,"volume":1},
                 {"symbol":"%1$s","date":"2026-11-03","open":10,"high":10.5,"low":9,"close":11,"volume":1},
                 {"symbol":"%1$s","date":"2026-11-04","open":8,"high":10.5,"low":9,"close":10,"volume":1},
                 {"symbol":"%1$s","date":"2026-11-05","open":10,"high":11,"low":9,"close":10,"volume":-1},
                 {"symbol":"%1$s","date":"%2$s","open":10,"high":11,"low":9,"close":10,"volume":1},
                 {"symbol":"%1$s","date":"20261106","open":10,"high":11,"low":9,"close":10,"volume":1},
                 {"symbol":"%1$s","date":"2026-11-09","open":10,"high":11,"low":9,"close":10}]"""
                .formatted(symbol, tomorrow);
        operator().contentType(ContentType.JSON).body(body).post("/api/v1/bars")
                .then().statusCode(200).body("accepted", equalTo(0))
                .body("rejected.reason", org.hamcrest.Matchers.contains("high must be >= low",
                        "high must be >= open and close", "low must be <= open and close", "volume must be >= 0",
                        "date is in the future", "date must be an ISO-8601 date (2026-11-20)", "volume is required"));
    }

    @Test
    void shouldRejectBadDividends() {
        String symbol = uniqueSymbol();
        String body = """
                [{"symbol":"%1$s","exDate":"2026-11-02","amount":0,"source":"a"},
                 {"symbol":"%1$s","exDate":"2026-11-03","amount":0.5},
                 {"symbol":"%1$s","exDate":"2026-11-04","amount":0.5,"type":"bonus","source":"a"},
                 {"symbol":"%1$s","exDate":"2026-11-05","payDate":"2026-11-01","amount":0.5,"source":"a"},
                 {"symbol":"%1$s","exDate":"2026-11-06","amount":0.5,"currency":"dollars","source":"a"}]"""
                .formatted(symbol);
        operator().contentType(ContentType.JSON).body(body).post("/api/v1/dividends")
                .then().statusCode(200).body("accepted", equalTo(0))
                .body("rejected.reason", org.hamcrest.Matchers.contains("amount must be a finite number > 0",
                        "source is required", "type must be regular or special", "payDate must not be before exDate",
                        "currency must be a 3-letter ISO code"));
    }

    @Test
    void shouldAnswer400AndStoreNothingForUnparseableJson() {
        String symbol = uniqueSymbol();
        String body = "[{\"symbol\":\"" + symbol + "\",\"ts\":\"2026-11-20T15:00:00Z\",\"price\":10}, {\"symbol\":";
        operator().contentType(ContentType.JSON).body(body).post("/api/v1/ticks")
                .then().statusCode(400).contentType("application/problem+json")
                .body("status", equalTo(400)).body("detail", containsString("Nothing was stored"));
        assertEquals(0, count(pool, "SELECT count(*) FROM raw.price_ticks WHERE symbol = $1", symbol));
        assertEquals(0, count(pool, "SELECT count(*) FROM raw.rejected_records WHERE payload LIKE $1", "%" + symbol + "%"));
    }

    @Test
    void shouldAnswer400ForAnObjectInsteadOfAnArray() {
        operator().contentType(ContentType.JSON).body("{\"symbol\":\"AAPL\"}").post("/api/v1/ticks")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("JSON array"));
    }

    @Test
    void shouldAnswer400AndStoreNothingForABrokenNdjsonLine() {
        String symbol = uniqueSymbol();
        String body = "{\"symbol\":\"" + symbol + "\",\"ts\":\"2026-11-20T15:00:00Z\",\"price\":10}\n{oops}\n";
        operator().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8)).post("/api/v1/ticks")
                .then().statusCode(400).body("detail", containsString("Line 2"));
        assertEquals(0, count(pool, "SELECT count(*) FROM raw.price_ticks WHERE symbol = $1", symbol));
    }

    @Test
    void shouldAnswer400AndStoreNothingForACsvRowWithTheWrongCellCount() {
        String symbol = uniqueSymbol();
        String body = "symbol,ts,price\n" + symbol + ",2026-11-20T15:00:00Z,10\n" + symbol + ",2026-11-20T15:00:01Z\n";
        operator().contentType("text/csv").body(body).post("/api/v1/ticks")
                .then().statusCode(400).body("detail", containsString("CSV line 3 has 2 cells"));
        assertEquals(0, count(pool, "SELECT count(*) FROM raw.price_ticks WHERE symbol = $1", symbol));
    }

    @Test
    void shouldAnswer400ForAnEmptyBody() {
        operator().contentType(ContentType.JSON).body("").post("/api/v1/bars")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void shouldAnswer413ForABodyOverTheLimit() {
        // %test limit: 262144 bytes; this body is 300000 bytes
        String body = "[" + " ".repeat(299_998) + "]";
        operator().contentType(ContentType.JSON).body(body).post("/api/v1/ticks")
                .then().statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("at most 262144"));
    }

    @Test
    void shouldAnswer413ForMoreRecordsThanOneRequestMayCarry() {
        // %test limit: 2000 records; 2001 empty objects
        String body = "[" + "{},".repeat(2000) + "{}]";
        operator().contentType(ContentType.JSON).body(body).post("/api/v1/ticks")
                .then().statusCode(413).contentType("application/problem+json")
                .body("detail", containsString("more than 2000 records"));
    }

    @Test
    void shouldAnswer415ForAnotherMediaType() {
        operator().contentType("application/xml").body("<ticks/>").post("/api/v1/ticks")
                .then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void shouldRequireATokenWithUnauthorizedProblem() {
        given().contentType(ContentType.JSON).body("[]").post("/api/v1/ticks")
                .then().statusCode(401).contentType("application/problem+json").body("status", equalTo(401));
    }

    @Test
    void shouldRefuseTheUserRoleWithForbiddenProblem() {
        for (String endpoint : List.of("ticks", "bars", "dividends", "securities", "etf-holdings", "short-positions")) {
            given().auth().oauth2(TestSupport.token("authenticated")).contentType(ContentType.JSON).body("[]")
                    .post("/api/v1/" + endpoint)
                    .then().statusCode(403).contentType("application/problem+json");
        }
    }

    @Test
    void shouldAcceptAnEmptyArray() {
        operator().contentType(ContentType.JSON).body("[]").post("/api/v1/short-positions")
                .then().statusCode(200).body("accepted", equalTo(0)).body("duplicates", equalTo(0))
                .body("rejected", hasSize(0));
    }
}
