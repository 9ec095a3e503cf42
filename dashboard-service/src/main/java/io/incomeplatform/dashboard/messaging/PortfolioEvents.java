package io.incomeplatform.dashboard.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.dashboard.repository.TransactionRepository;
import io.incomeplatform.dashboard.service.DashboardCache;
import io.incomeplatform.dashboard.service.Holdings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * After every committed ledger or portfolio write: replaces the Redis set income:holdings:{userId}
 * with the symbols the user now holds, publishes income:portfolio-changed (docs/service-contracts.md)
 * and invalidates the user's cached dashboards. The write is already stored, so a Redis failure here
 * is logged and counted, never reported to the client as a failed write.
 */
@ApplicationScoped
public class PortfolioEvents {

    public static final String PORTFOLIO_CHANGED = "income:portfolio-changed";
    private static final String HOLDINGS_PREFIX = "income:holdings:";
    private static final Logger LOG = Logger.getLogger(PortfolioEvents.class);

    @Inject
    ReactiveRedisDataSource redis;
    @Inject
    Pool pool;
    @Inject
    TransactionRepository transactions;
    @Inject
    DashboardCache cache;
    @Inject
    ObjectMapper json;
    @Inject
    MeterRegistry registry;

    public Uni<Void> ledgerChanged(UUID userId, UUID portfolioId) {
        Uni<Void> invalidate = cache.invalidateUsers(List.of(userId.toString()));
        Uni<Void> announce = transactions.activeForUser(pool, userId, null)
                .map(entries -> Holdings.positions(entries).stream().map(Holdings.Position::symbol).toList())
                .call(symbols -> replaceHoldings(userId, symbols))
                .call(symbols -> redis.pubsub(String.class).publish(PORTFOLIO_CHANGED, message(userId, portfolioId, symbols)))
                .replaceWithVoid()
                .onFailure().invoke(e -> {
                    registry.counter("dashboard_portfolio_event_failures_total").increment();
                    LOG.warnf("Stored the write of user %s but could not announce it: %s", userId, e.toString());
                })
                .onFailure().recoverWithNull();
        return invalidate.chain(() -> announce);
    }

    private Uni<Void> replaceHoldings(UUID userId, List<String> symbols) {
        String key = HOLDINGS_PREFIX + userId;
        return redis.withTransaction(tx -> {
            Uni<Void> cleared = tx.key(String.class).del(key);
            return symbols.isEmpty() ? cleared : cleared.chain(() -> tx.set(String.class).sadd(key, symbols.toArray(String[]::new)));
        }).replaceWithVoid();
    }

    private String message(UUID userId, UUID portfolioId, List<String> symbols) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("userId", userId.toString());
        body.put("portfolioId", portfolioId == null ? null : portfolioId.toString());
        body.put("symbols", symbols);
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
