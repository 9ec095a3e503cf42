package io.incomeplatform.realtime;

import io.incomeplatform.realtime.support.Fixtures;
import io.incomeplatform.realtime.support.PriceClient;
import io.incomeplatform.realtime.support.RespClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.incomeplatform.realtime.PriceSubscriptionTest.assertPrice;
import static io.incomeplatform.realtime.support.Fixtures.tick;
import static io.incomeplatform.realtime.support.Fixtures.ticksMessage;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two replicas of the packaged service (target/quarkus-app, so this runs in {@code verify}) behind
 * no shared state but Redis: each delivers a tick to its own clients; stopping one closes its
 * connections with 1001 and a client reconnecting to the other resumes with its holdings' prices.
 * The replicas are separate processes, where Dev Services cannot reach: they need the Redis the
 * environment names.
 */
@EnabledIfEnvironmentVariable(named = "REDIS_URL", matches = ".*\\S.*",
        disabledReason = "REDIS_URL is not set: the two replicas need a real Redis, not a Dev Services container")
class ScaleOutIT {

    static final String REDIS_URL = System.getenv("REDIS_URL");

    private final List<Process> replicas = new ArrayList<>();
    private final List<String[]> cleanUp = new ArrayList<>();

    @AfterEach
    void stopReplicasAndCleanRedis() throws IOException {
        replicas.forEach(Process::destroyForcibly);
        try (RespClient redis = new RespClient(REDIS_URL)) {
            for (String[] command : cleanUp) {
                redis.command(command);
            }
        }
    }

    @Test
    void shouldDeliverATickThroughEveryReplicaAndLetClientsResumeElsewhere() throws Exception {
        URI first = startReplica();
        URI second = startReplica();
        String symbol = Fixtures.uniqueSymbol();
        String userOnFirst = Fixtures.newUserId();
        String userOnSecond = Fixtures.newUserId();

        try (RespClient redis = new RespClient(REDIS_URL)) {
            redis.command("SADD", "income:holdings:" + userOnSecond, symbol);
            cleanUp.add(new String[]{"DEL", "income:holdings:" + userOnSecond});
            cleanUp.add(new String[]{"HDEL", "income:prices:latest", symbol});

            try (PriceClient onFirst = PriceClient.connectWithQueryToken(first, Fixtures.token(userOnFirst))) {
                PriceClient onSecond = PriceClient.connectWithSubprotocol(second, Fixtures.token(userOnSecond));
                onFirst.send("{\"type\":\"subscribe\",\"symbols\":[\"" + symbol + "\"]}");
                onFirst.roundTrip();
                onSecond.roundTrip(); // holdings (the symbol) subscribed on open

                redis.command("PUBLISH", "income:ticks", ticksMessage(tick(symbol, "12.34", Instant.now())));
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        onFirst.updatesOf(symbol).size() == 1 && onSecond.updatesOf(symbol).size() == 1);
                assertPrice("12.34", onFirst.updatesOf(symbol).get(0));
                assertPrice("12.34", onSecond.updatesOf(symbol).get(0));

                // ingestion keeps the latest tick in the hash; the second replica goes away
                redis.command("HSET", "income:prices:latest", symbol, tick(symbol, "12.34", Instant.now()));
                replicas.get(1).destroy(); // SIGTERM: graceful shutdown
                assertEquals(1001, onSecond.closeCode().get(15, TimeUnit.SECONDS));

                try (PriceClient resumed = PriceClient.connectWithSubprotocol(first, Fixtures.token(userOnSecond))) {
                    await().atMost(Duration.ofSeconds(3)).until(() -> resumed.updatesOf(symbol).size() == 1);
                    assertPrice("12.34", resumed.updatesOf(symbol).get(0));
                }
                assertTrue(replicas.get(1).waitFor(30, TimeUnit.SECONDS), "the stopped replica exits");
            }
        }
    }

    private URI startReplica() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        File log = File.createTempFile("realtime-replica-", ".log");
        Process process = new ProcessBuilder(javaBinary(), "-Dquarkus.profile=test", "-Dquarkus.http.port=" + port,
                "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log).start();
        replicas.add(process);
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + port + "/q/health/ready");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        return URI.create("ws://127.0.0.1:" + port + "/ws/v1/prices");
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
