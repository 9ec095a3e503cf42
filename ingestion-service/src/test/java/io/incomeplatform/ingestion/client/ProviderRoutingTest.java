package io.incomeplatform.ingestion.client;

import io.incomeplatform.ingestion.model.Bar;
import io.incomeplatform.ingestion.service.ProviderRouter;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

import static io.incomeplatform.ingestion.TestSupport.operatorToken;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(FakeProviders.class)
class ProviderRoutingTest {

    static final LocalDate FROM = LocalDate.parse("2026-11-13");
    static final LocalDate TO = LocalDate.parse("2026-11-20");

    @Inject
    ProviderRouter router;

    @Test
    void shouldFallBackToTheNextProviderWhenTheFirstFails() {
        int before = FakeProviders.requests("polygon", "FALLBACK");
        ProviderRouter.Fetched<List<Bar>> fetched = router.bars("FALLBACK", FROM, TO, List.of("polygon", "alphavantage"))
                .await().atMost(Duration.ofSeconds(10));
        assertEquals("alphavantage", fetched.provider());
        assertEquals(2, fetched.data().size());
        assertTrue(fetched.failures().get(0).startsWith("polygon: "));
        // a 500 is transient: 1 call + 2 retries (ingestion.routing.retries) before falling back
        assertEquals(3, FakeProviders.requests("polygon", "FALLBACK") - before);
    }

    @Test
    void shouldFallBackWithoutRetryingAThrottledProvider() {
        int before = FakeProviders.requests("alphavantage", "THROTTLED");
        ProviderRouter.Fetched<List<Bar>> fetched = router.bars("THROTTLED", FROM, TO, List.of("alphavantage", "simulated"))
                .await().atMost(Duration.ofSeconds(10));
        assertEquals("simulated", fetched.provider());
        assertEquals(1, FakeProviders.requests("alphavantage", "THROTTLED") - before);
    }

    @Test
    void shouldSayWhyEveryProviderFailed() {
        ProviderRouter.NoProviderException e = assertThrows(ProviderRouter.NoProviderException.class,
                () -> router.bars("NOSUCH", FROM, TO, List.of("alphavantage", "yahoo", "nobody"))
                        .await().atMost(Duration.ofSeconds(10)));
        assertEquals(3, e.failures().size());
        assertTrue(e.failures().get(2).equals("nobody: unknown provider"));
    }

    @Test
    void shouldTimeOutAHungProviderRetryAndFallBack() {
        int before = FakeProviders.requests("yahoo", "SLOW");
        ProviderRouter.Fetched<List<Bar>> fetched = router.bars("SLOW", FROM, TO, List.of("yahoo", "simulated"))
                .await().atMost(Duration.ofSeconds(10));
        assertEquals("simulated", fetched.provider());
        assertTrue(fetched.failures().get(0).startsWith("yahoo: "));
        // the answer takes 3 s, the tests' Yahoo timeout is 0.5 s: a timeout is transient, so 1 call + 2 retries
        assertEquals(3, FakeProviders.requests("yahoo", "SLOW") - before);
    }

    @Test
    void shouldSendCallsPastAProvidersQuotaToTheNextProvider() {
        // the csv provider's quota is 3 calls a minute in the tests (FakeProviders)
        for (int i = 0; i < 3; i++) {
            assertEquals("csv", router.bars("CSVREPLAY", FROM, TO, List.of("csv", "simulated"))
                    .await().atMost(Duration.ofSeconds(10)).provider());
        }
        ProviderRouter.Fetched<List<Bar>> fourth = router.bars("CSVREPLAY", FROM, TO, List.of("csv", "simulated"))
                .await().atMost(Duration.ofSeconds(10));
        assertEquals("simulated", fourth.provider());
        assertEquals(List.of("csv: quota exhausted"), fourth.failures());
    }

    @Test
    void shouldOpenTheCircuitAfterRepeatedFailuresAndSkipTheProvider() {
        try {
            int before = FakeProviders.requests("polygon", "DOWN");
            for (int i = 0; i < 2; i++) {
                assertThrows(ProviderRouter.NoProviderException.class,
                        () -> router.bars("DOWN", FROM, TO, List.of("polygon")).await().atMost(Duration.ofSeconds(10)));
            }
            // 1st call: 3 failed requests (1 + 2 retries); 2nd call: the 4th failure fills the breaker's window of 4
            // (ingestion.routing.circuit-request-volume) at 100 % failures, so it opens and the retry is refused.
            assertEquals(4, FakeProviders.requests("polygon", "DOWN") - before);
            given().auth().oauth2(operatorToken()).get("/api/v1/ingestion/status").then().statusCode(200)
                    .body("providers.find { it.name == 'polygon' }.circuitState", equalTo("open"));

            ProviderRouter.NoProviderException skipped = assertThrows(ProviderRouter.NoProviderException.class,
                    () -> router.bars("DOWN", FROM, TO, List.of("polygon")).await().atMost(Duration.ofSeconds(10)));
            assertEquals(List.of("polygon: circuit open"), skipped.failures());
            assertEquals(4, FakeProviders.requests("polygon", "DOWN") - before);

            // while polygon's circuit is open, a good symbol is served by the next provider
            ProviderRouter.Fetched<List<Bar>> fetched = router.bars("AAPL", FROM, TO, List.of("polygon", "alphavantage"))
                    .await().atMost(Duration.ofSeconds(10));
            assertEquals("alphavantage", fetched.provider());
        } finally {
            CircuitBreakerMaintenance.get().reset("provider-polygon");
        }
    }
}
