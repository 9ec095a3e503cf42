package io.incomeplatform.realtime.repository;

import io.incomeplatform.realtime.messaging.TickParser;
import io.incomeplatform.realtime.service.PriceUpdate;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.redis.datasource.set.ReactiveSetCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What other services keep in Redis for us (docs/service-contracts.md): the newest tick per symbol
 * ({@code income:prices:latest}, written by ingestion) and each user's held symbols
 * ({@code income:holdings:{userId}}, written by dashboard after every ledger change).
 */
@ApplicationScoped
public class MarketStateRepository {

    public static final String LATEST_PRICES_KEY = "income:prices:latest";
    public static final String HOLDINGS_KEY_PREFIX = "income:holdings:";
    private static final TickParser PARSER = new TickParser();

    private final ReactiveHashCommands<String, String, String> hashes;
    private final ReactiveSetCommands<String, String> sets;

    public MarketStateRepository(ReactiveRedisDataSource redis) {
        this.hashes = redis.hash(String.class);
        this.sets = redis.set(String.class);
    }

    /** The latest known price of each symbol that has one; symbols never ticked are left out. */
    public Uni<List<PriceUpdate>> latestPrices(Collection<String> symbols) {
        if (symbols.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return hashes.hmget(LATEST_PRICES_KEY, symbols.toArray(String[]::new)).map(MarketStateRepository::toUpdates);
    }

    public Uni<Set<String>> holdings(String userId) {
        return sets.smembers(HOLDINGS_KEY_PREFIX + userId);
    }

    private static List<PriceUpdate> toUpdates(Map<String, String> ticksBySymbol) {
        List<PriceUpdate> updates = new ArrayList<>(ticksBySymbol.size());
        for (String json : ticksBySymbol.values()) {
            if (json != null) {
                PARSER.parseTick(json).ifPresent(updates::add);
            }
        }
        return updates;
    }
}
