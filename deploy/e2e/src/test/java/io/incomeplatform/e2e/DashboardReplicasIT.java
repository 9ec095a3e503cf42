package io.incomeplatform.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.e2e.Platform.Service;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two dashboard-service replicas sharing PostgreSQL and Redis, as behind one Kubernetes Service: each
 * keeps dashboards (and the ledgers it replayed) in its own memory, so a write through one must reach
 * what the other serves.
 */
@NeedsNamedServers
class DashboardReplicasIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static Platform platform;

    @BeforeAll
    static void startPlatform() throws Exception {
        platform = Platform.shared();
    }

    @Test
    void shouldShowALedgerWriteThroughOneReplicaOnTheOther() throws Exception {
        String symbol = "ZR" + UUID.randomUUID().toString().substring(0, 4).toUpperCase();
        servingStock(symbol);
        int port = Platform.freePort();
        Process second = Platform.launchExtra(Service.DASHBOARD, port, Map.of(), "dashboard-second-replica");
        try {
            Platform.awaitReady(second, URI.create("http://127.0.0.1:" + port + "/q/health/ready"), Duration.ofSeconds(90),
                    "dashboard-second-replica");
            URI first = platform.uri(Service.DASHBOARD, "");
            URI other = URI.create("http://127.0.0.1:" + port);
            String user = Tokens.user(UUID.randomUUID());
            String portfolio = send(first, "POST", "/api/v1/portfolios", user, Map.of("name", "Replicated"), 201).get("id").asText();
            send(first, "POST", "/api/v1/portfolios/" + portfolio + "/transactions", user,
                    Map.of("type", "BUY", "symbol", symbol, "date", "2025-01-02", "shares", 10, "price", 8), 201);

            // The other replica builds the dashboard, then answers from its memory.
            assertEquals(10.0, shares(send(other, "GET", "/api/v1/dashboard", user, null, 200)), 1e-9);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    "hit".equals(send(other, "GET", "/api/v1/dashboard", user, null, 200).at("/metadata/cacheStatus").asText()));

            // A write through the first replica: the other drops its copy (the portfolio-changed event and the
            // user's generation in Redis) and reads the changed ledger instead of its replay of the old one.
            send(first, "POST", "/api/v1/portfolios/" + portfolio + "/transactions", user,
                    Map.of("type", "BUY", "symbol", symbol, "date", "2025-02-03", "shares", 5, "price", 9), 201);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                JsonNode dashboard = send(other, "GET", "/api/v1/dashboard", user, null, 200);
                assertEquals(15.0, shares(dashboard), 1e-9, dashboard.toString());
                assertEquals(2, dashboard.at("/quickActions/recentActivity/transactions").size(), dashboard.toString());
            });
        } finally {
            second.destroy();
            second.waitFor();
        }
    }

    private static double shares(JsonNode dashboard) {
        return dashboard.at("/performanceCommand/holdingsBreakdown/0/shares").asDouble();
    }

    /** A stocks_summary row (the ledger accepts only symbols the marts know) with its mart's status row, as a sync writes them. */
    private static void servingStock(String symbol) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + Platform.DB_HOST + ":" + Platform.DB_PORT + "/"
                + Platform.SERVING_DB, "income_mart", "")) {
            c.setAutoCommit(false);
            try (PreparedStatement stock = c.prepareStatement("""
                    INSERT INTO serving.stocks_summary (symbol, name, asset_type, sector, industry, exchange, price, price_date, as_of)
                    VALUES (?, 'Replica Corp', 'stock', 'Technology', 'Software', 'NYSE', 10, ?, ?)""");
                 PreparedStatement status = c.prepareStatement("""
                         INSERT INTO serving.mart_status (name, rows, refreshed_at, synced_at) VALUES ('stocks_summary', 0, now(), now())
                         ON CONFLICT (name) DO UPDATE SET synced_at = now()""")) {
                stock.setString(1, symbol);
                stock.setObject(2, LocalDate.now().minusDays(1));
                stock.setObject(3, LocalDate.now().minusDays(1));
                stock.executeUpdate();
                status.executeUpdate();
            }
            c.commit();
        }
    }

    private static JsonNode send(URI base, String method, String path, String token, Object body, int expectedStatus) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, response.statusCode(), method + " " + path + ": " + response.body());
        return JSON.readTree(response.body());
    }
}
