package io.incomeplatform.mart;

import io.incomeplatform.mart.support.Db;
import io.incomeplatform.mart.support.MarketFixture;
import io.incomeplatform.mart.support.Refresh;
import io.incomeplatform.mart.support.UpstreamMigrations;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Incremental staging loads, the "raw changed" event, and the freshness health check. */
@QuarkusTest
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class IncrementalAndEventsTest {

    @Inject
    RedisDataSource redis;

    @BeforeEach
    void fixture() {
        Db.exec(Db.PROCESSING, "DELETE FROM raw.price_ticks WHERE symbol = 'MTQ'");
        Db.exec(Db.PROCESSING, "DELETE FROM raw.price_bars WHERE symbol = 'MTQ'");
        Db.exec(Db.PROCESSING, "DELETE FROM raw.securities WHERE symbol = 'MTQ'");
        Db.exec(Db.PROCESSING, "INSERT INTO raw.securities (symbol, name, asset_type, industry, source) "
                + "VALUES ('MTQ', 'Quebec Quotes', 'stock', 'Incremental Fixture', 'api')");
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200);
    }

    @Test
    void shouldLoadOnlyTheDaysOfNewTicksOnAnIncrementalRefresh() {
        // A day far outside the look-back, so staging holds more days than the refresh may rewrite even in an
        // otherwise empty database (a fresh Dev Services container).
        Db.exec(Db.PROCESSING, "INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) "
                + "VALUES ('MTQ', '2025-06-02', 'polygon', 40, 40, 40, 40, 1)");
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200);
        Instant recent = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        Db.exec(Db.PROCESSING, "INSERT INTO raw.price_ticks (symbol, ts, price, volume, source) VALUES ('MTQ', ?::timestamptz, 42.5, 10, 'simulated')",
                recent.toString());
        Refresh.post("/api/v1/marts/refresh?mart=market_latest").then().statusCode(200)
                .body("[0].status", equalTo("succeeded"));
        assertEquals(0, new java.math.BigDecimal("42.5").compareTo((java.math.BigDecimal) Db.one(Db.SERVING,
                "SELECT price FROM serving.market_latest WHERE symbol = 'MTQ'").get("price")));
        // The staging step rewrote the changed days only, not the whole table.
        Map<String, Object> step = Db.one(Db.PROCESSING, """
                SELECT rows FROM mart.refresh_runs WHERE name = 'staging.daily_prices' ORDER BY id DESC LIMIT 1""");
        long total = Db.count(Db.PROCESSING, "SELECT count(*) FROM staging.daily_prices");
        assertTrue((Long) step.get("rows") < total, "rewrote " + step.get("rows") + " of " + total + " days");
    }

    @Test
    void shouldRefreshTheNamedSymbolsOnARawChangedEvent() {
        // An old bar (outside the incremental look-back) only a targeted refresh picks up.
        Db.exec(Db.PROCESSING, "INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) "
                + "VALUES ('MTQ', '2026-01-15', 'polygon', 7, 7, 7, 7, 1)");
        redis.pubsub(String.class).publish("income:raw-changed",
                "{\"dataType\":\"bars\",\"symbols\":[\"MTQ\"],\"from\":\"2026-01-15\",\"to\":\"2026-01-15\",\"rows\":1}");
        await().atMost(Duration.ofSeconds(15)).until(() -> !Db.query(Db.SERVING,
                "SELECT 1 FROM serving.market_latest WHERE symbol = 'MTQ' AND price = 7").isEmpty());
        assertEquals("event", Db.one(Db.PROCESSING,
                "SELECT trigger FROM mart.refresh_runs WHERE name = 'market_latest' ORDER BY id DESC LIMIT 1").get("trigger"));
    }

    @Test
    void shouldIgnoreAMalformedEvent() {
        redis.pubsub(String.class).publish("income:raw-changed", "not json");
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void shouldReportStaleMartsAsDegradedWellnessButStayReady() {
        // The test benchmark's last day (2026-08-31 at the latest) lags the NYSE calendar by far more than a day.
        MarketFixture.load();
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200);
        given().get("/q/health/well").then().statusCode(503)
                .body("checks.find { it.name == 'mart-freshness' }.data.status", equalTo("degraded"))
                .body("checks.find { it.name == 'mart-freshness' }.data", hasKey("stocks_summary"));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("mart_refresh_duration_seconds_count{mart=\"market_latest\""))
                .body(org.hamcrest.Matchers.containsString("mart_age_seconds{mart=\"treemap\""));
    }
}
