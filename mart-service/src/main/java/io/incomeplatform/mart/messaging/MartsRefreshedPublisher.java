package io.incomeplatform.mart.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.jboss.logging.Logger;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Publishes {@code income:marts-refreshed} (docs/service-contracts.md) after a sync. */
@ApplicationScoped
public class MartsRefreshedPublisher {

    public static final String CHANNEL = "income:marts-refreshed";
    private static final Logger LOG = Logger.getLogger(MartsRefreshedPublisher.class);

    private final ReactivePubSubCommands<String> pubsub;
    private final ObjectMapper json;

    public MartsRefreshedPublisher(ReactiveRedisDataSource redis, ObjectMapper json) {
        this.pubsub = redis.pubsub(String.class);
        this.json = json;
    }

    /**
     * @param userIds only these users' marts changed; null = market marts changed for everyone
     * @param symbols the symbols affected where known, else null
     */
    // A lost notice only delays cache invalidation until the next sync: a short timeout and a couple of
    // retries, then the caller logs and moves on (the marts themselves are already synced).
    @Timeout(2000)
    @Retry(maxRetries = 2, delay = 100)
    public Uni<Void> publish(List<String> marts, List<UUID> userIds, List<String> symbols, LocalDate asOf,
                             OffsetDateTime syncedAt) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("marts", marts);
        message.put("userIds", userIds);
        message.put("symbols", symbols);
        message.put("asOf", asOf == null ? null : asOf.toString());
        message.put("syncedAt", syncedAt == null ? null : syncedAt.toInstant().toString());
        try {
            String body = json.writeValueAsString(message);
            return pubsub.publish(CHANNEL, body)
                    .invoke(() -> LOG.debugf("Published %s", body));
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
    }
}
