package io.incomeplatform.realtime.support;

import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * Plays the other services' part in Redis (docs/service-contracts.md) and removes what it wrote:
 * only the fields and keys of the tests' own unique symbols and users.
 */
@ApplicationScoped
public class RedisFixtures {

    public static final String LATEST_PRICES = "income:prices:latest";

    private final RedisDataSource redis;
    private final List<String> holdingsKeys = new ArrayList<>();
    private final List<String> latestFields = new ArrayList<>();

    public RedisFixtures(RedisDataSource redis) {
        this.redis = redis;
    }

    public void publish(String channel, String message) {
        redis.pubsub(String.class).publish(channel, message);
    }

    /** Publishes all messages in one MULTI/EXEC: Redis delivers them to subscribers back to back. */
    public void publishAtOnce(String channel, List<String> messages) {
        redis.withConnection(connection -> {
            connection.execute("MULTI");
            for (String message : messages) {
                connection.execute("PUBLISH", channel, message);
            }
            connection.execute("EXEC");
        });
    }

    public void holdings(String userId, String... symbols) {
        String key = "income:holdings:" + userId;
        holdingsKeys.add(key);
        redis.key().del(key);
        if (symbols.length > 0) {
            redis.set(String.class).sadd(key, symbols);
        }
    }

    public void latestPrice(String symbol, String tickJson) {
        latestFields.add(symbol);
        redis.hash(String.class).hset(LATEST_PRICES, symbol, tickJson);
    }

    public void cleanUp() {
        if (!holdingsKeys.isEmpty()) {
            redis.key().del(holdingsKeys.toArray(String[]::new));
            holdingsKeys.clear();
        }
        if (!latestFields.isEmpty()) {
            redis.hash(String.class).hdel(LATEST_PRICES, latestFields.toArray(String[]::new));
            latestFields.clear();
        }
    }
}
