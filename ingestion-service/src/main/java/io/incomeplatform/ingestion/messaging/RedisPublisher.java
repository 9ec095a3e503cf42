package io.incomeplatform.ingestion.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.ingestion.config.IngestionConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything this service tells Redis (docs/service-contracts.md): accepted ticks on {@code income:ticks}
 * in batches, the newest tick per symbol in the hash {@code income:prices:latest}, and
 * {@code income:raw-changed} events for the mart service. Redis is not needed to store data: a failure
 * is logged, counted and shown by readiness as a degradation, and the next batch tries again.
 */
@ApplicationScoped
public class RedisPublisher {

    public static final String TICKS_CHANNEL = "income:ticks";
    public static final String LATEST_PRICES_KEY = "income:prices:latest";
    public static final String RAW_CHANGED_CHANNEL = "income:raw-changed";

    private static final Logger LOG = Logger.getLogger(RedisPublisher.class);

    // Sets a symbol's field only when the new tick is newer than the stored one, so a late or backfilled
    // tick never replaces a fresher price. ARGV: symbol, ts, json, symbol, ts, json, ... (ts fixed width).
    private static final String SET_IF_NEWER = """
            local updated = 0
            for i = 1, #ARGV, 3 do
              local current = redis.call('HGET', KEYS[1], ARGV[i])
              local newer = true
              if current then
                local ok, stored = pcall(cjson.decode, current)
                if ok and type(stored) == 'table' and type(stored.ts) == 'string' and stored.ts >= ARGV[i + 1] then
                  newer = false
                end
              end
              if newer then
                redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
                updated = updated + 1
              end
            end
            return updated""";

    private final ReactiveRedisDataSource redis;
    private final Redis client;
    private final ObjectMapper mapper;
    private final int ticksPerMessage;
    private final Counter published;
    private final Counter failures;
    private final AtomicReference<Failure> lastFailure = new AtomicReference<>();

    /** The latest publishing failure, cleared by the next success. */
    public record Failure(Instant at, String message) {
    }

    public RedisPublisher(ReactiveRedisDataSource redis, Redis client, ObjectMapper mapper, IngestionConfig config,
                          MeterRegistry registry) {
        this.redis = redis;
        this.client = client;
        this.mapper = mapper;
        this.ticksPerMessage = config.publish().ticksPerMessage();
        this.published = Counter.builder("ingestion.published.ticks")
                .description("Ticks published on income:ticks").register(registry);
        this.failures = Counter.builder("ingestion.publish.failures")
                .description("Redis publications that failed (data was stored regardless)").register(registry);
    }

    /** Publishes the ticks in messages of at most ingestion.publish.ticks-per-message and updates the latest prices. */
    public Uni<Void> publishTicks(List<PublishedTick> ticks) {
        if (ticks.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // One pipelined batch on one connection: the messages, then the latest-price update.
        List<Request> requests = new ArrayList<>();
        for (int from = 0; from < ticks.size(); from += ticksPerMessage) {
            List<PublishedTick> chunk = ticks.subList(from, Math.min(ticks.size(), from + ticksPerMessage));
            StringBuilder message = new StringBuilder(64 + chunk.size() * 180).append("{\"ticks\":[");
            for (int i = 0; i < chunk.size(); i++) {
                if (i > 0) {
                    message.append(',');
                }
                chunk.get(i).appendJson(message);
            }
            message.append("]}");
            requests.add(Request.cmd(Command.PUBLISH).arg(TICKS_CHANNEL).arg(message.toString()));
        }
        requests.add(updateLatest(ticks));
        return client.batch(requests).replaceWithVoid()
                .invoke(() -> {
                    published.increment(ticks.size());
                    lastFailure.set(null);
                })
                .onFailure().invoke(this::recordFailure);
    }

    private static Request updateLatest(List<PublishedTick> ticks) {
        Map<String, PublishedTick> newest = new HashMap<>();
        for (PublishedTick tick : ticks) {
            newest.merge(tick.symbol(), tick, (a, b) -> b.ts().isAfter(a.ts()) ? b : a);
        }
        Request eval = Request.cmd(Command.EVAL).arg(SET_IF_NEWER).arg(1).arg(LATEST_PRICES_KEY);
        for (PublishedTick tick : newest.values()) {
            eval.arg(tick.symbol()).arg(tick.tsText()).arg(tick.toJson());
        }
        return eval;
    }

    /** Tells the mart service which symbols and dates of a data type changed. */
    public Uni<Void> publishRawChanged(String dataType, List<String> symbols, String from, String to, int rows) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("dataType", dataType);
        event.put("symbols", symbols);
        event.put("from", from);
        event.put("to", to);
        event.put("rows", rows);
        String json;
        try {
            json = mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return redis.pubsub(String.class).publish(RAW_CHANGED_CHANNEL, json)
                .invoke(() -> lastFailure.set(null))
                .onFailure().invoke(this::recordFailure);
    }

    public Failure lastFailure() {
        return lastFailure.get();
    }

    private void recordFailure(Throwable failure) {
        failures.increment();
        Failure previous = lastFailure.getAndSet(new Failure(Instant.now(), String.valueOf(failure.getMessage())));
        if (previous == null) {
            LOG.warnf("Publishing to Redis failed, data is still stored: %s", failure.getMessage());
        }
    }
}
