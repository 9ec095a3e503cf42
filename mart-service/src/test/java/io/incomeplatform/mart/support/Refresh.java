package io.incomeplatform.mart.support;

import io.restassured.response.Response;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/** Operator calls that wait out a refresh already running (the event drain may have started one): 409 is retried. */
public final class Refresh {

    private Refresh() {
    }

    public static Response post(String pathAndQuery) {
        AtomicReference<Response> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Response response = given().auth().oauth2(Tokens.operator()).post(pathAndQuery);
            last.set(response);
            return response.statusCode() != 409;
        });
        return last.get();
    }
}
