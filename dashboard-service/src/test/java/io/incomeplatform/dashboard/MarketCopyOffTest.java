package io.incomeplatform.dashboard;

import io.incomeplatform.dashboard.repository.MarketCopyRepository;
import io.incomeplatform.dashboard.service.DashboardCache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.incomeplatform.dashboard.DashboardCardsTest.assertNumber;
import static io.incomeplatform.dashboard.MarketCopyTest.userWithTwoHoldings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** With the market copy off every miss reads the market rows from the database: the same cards. */
@QuarkusTest
@TestProfile(MarketCopyOffTest.CopyOff.class)
class MarketCopyOffTest {

    public static class CopyOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("dashboard.market-copy.enabled", "false");
        }
    }

    @Inject
    MarketCopyRepository market;
    @Inject
    DashboardCache cache;

    @Test
    void shouldBuildTheSameCardsFromTheDatabaseAndSeeAMartChangeOnTheNextMiss() {
        MarketCopyTest.Holder h = userWithTwoHoldings();
        TestSupport.retryingIfMartsWereReplaced(() -> {
            cache.invalidateUsers(List.of(h.user().toString())).await().indefinitely();
            MarketCopyTest.assertHandWorkedCards(DashboardCardsTest.dashboard(h.token(), null), h.a(), h.r());

            TestSupport.stock(h.a(), "stock", "Technology", "30", MarketCopyTest.AS_OF, "1.5");
            cache.invalidateUsers(List.of(h.user().toString())).await().indefinitely();
            JsonPath next = DashboardCardsTest.dashboard(h.token(), null);
            assertNumber("5000", next, "performanceCommand.portfolioValue"); // 100 x 30 + 100 x 20
            assertEquals("miss", next.getString("metadata.cacheStatus"));
            market.reload();
            assertNull(market.current(), "no copy is loaded or used");
        });
    }
}
