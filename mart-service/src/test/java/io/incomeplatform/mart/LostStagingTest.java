package io.incomeplatform.mart;

import io.incomeplatform.mart.support.Db;
import io.incomeplatform.mart.support.Refresh;
import io.incomeplatform.mart.support.UpstreamMigrations;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * staging.daily_prices and the load watermarks are unlogged (processing V10): a crash or a failover
 * empties both. The next load, incremental or targeted, then finds no watermark and rebuilds staging
 * from raw, so the marts keep every symbol's history instead of being rebuilt from what the load read.
 * The tests leave staging as a crash would (both tables empty).
 */
@QuarkusTest
@QuarkusTestResource(value = UpstreamMigrations.class, restrictToAnnotatedClass = false)
class LostStagingTest {

    @Inject
    RedisDataSource redis;

    @BeforeEach
    void fixture() {
        Db.exec(Db.PROCESSING, "DELETE FROM raw.price_bars WHERE symbol = 'MLS'");
        Db.exec(Db.PROCESSING, "DELETE FROM raw.securities WHERE symbol = 'MLS'");
        Db.exec(Db.PROCESSING, "INSERT INTO raw.securities (symbol, name, asset_type, industry, source) "
                + "VALUES ('MLS', 'Lima Lost', 'stock', 'Lost Fixture', 'api')");
        // Two old bars: outside any incremental look-back, only a full load reads them again.
        Db.exec(Db.PROCESSING, """
                INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) VALUES
                ('MLS', '2026-01-14', 'polygon', 8, 8, 8, 8, 1), ('MLS', '2026-01-15', 'polygon', 10, 10, 10, 10, 1)""");
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200);
        Db.exec(Db.PROCESSING, "TRUNCATE staging.daily_prices");
        Db.exec(Db.PROCESSING, "TRUNCATE staging.load_watermarks");
    }

    @AfterEach
    void reloadStaging() {
        Refresh.post("/api/v1/marts/refresh?full=true").then().statusCode(200);
    }

    @Test
    void shouldKeepTheLoadedPricesAndItsWatermarksOutOfTheWal() {
        assertEquals("u", Db.one(Db.PROCESSING, "SELECT relpersistence::text AS p FROM pg_class WHERE oid = 'staging.daily_prices'::regclass").get("p"));
        assertEquals("u", Db.one(Db.PROCESSING, "SELECT relpersistence::text AS p FROM pg_class WHERE oid = 'staging.load_watermarks'::regclass").get("p"));
    }

    @Test
    void shouldReloadEveryDayFromRawOnTheNextIncrementalRefresh() {
        Refresh.post("/api/v1/marts/refresh?mart=market_latest").then().statusCode(200).body("[0].status", equalTo("succeeded"));

        assertEquals(2, Db.count(Db.PROCESSING, "SELECT count(*) FROM staging.daily_prices WHERE symbol = 'MLS'"));
        // Latest 10, previous close 8: both days are back.
        assertTrue(Db.same(Db.one(Db.SERVING, "SELECT previous_close FROM serving.market_latest WHERE symbol = 'MLS'")
                .get("previous_close"), "8"));
    }

    @Test
    void shouldReloadEveryDayFromRawWhenTheFirstLoadIsATargetedOne() {
        // Another source's bar for the latest day, announced for that day only (the higher-priority one stays).
        Db.exec(Db.PROCESSING, "INSERT INTO raw.price_bars (symbol, date, source, open, high, low, close, volume) "
                + "VALUES ('MLS', '2026-01-15', 'alpha-vantage', 11, 11, 11, 11, 1)");
        redis.pubsub(String.class).publish("income:raw-changed",
                "{\"dataType\":\"bars\",\"symbols\":[\"MLS\"],\"from\":\"2026-01-15\",\"to\":\"2026-01-15\",\"rows\":1}");

        await().atMost(Duration.ofSeconds(20)).until(() -> Db.count(Db.PROCESSING,
                "SELECT count(*) FROM staging.load_watermarks WHERE name = 'prices'") == 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> !Db.query(Db.SERVING,
                "SELECT 1 FROM serving.market_latest WHERE symbol = 'MLS' AND previous_close = 8").isEmpty());
        assertEquals(2, Db.count(Db.PROCESSING, "SELECT count(*) FROM staging.daily_prices WHERE symbol = 'MLS'"));
    }
}
