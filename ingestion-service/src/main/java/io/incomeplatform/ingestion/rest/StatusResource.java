package io.incomeplatform.ingestion.rest;

import io.incomeplatform.ingestion.messaging.RedisPublisher;
import io.incomeplatform.ingestion.repository.BookkeepingRepository;
import io.incomeplatform.ingestion.service.FeedService;
import io.incomeplatform.ingestion.service.ProviderRouter;
import io.incomeplatform.ingestion.service.TradingCalendar;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** GET /api/v1/ingestion/status: each provider's state and each tier's sync state. */
@Path("/api/v1/ingestion/status")
@RolesAllowed("service_role")
@Produces(MediaType.APPLICATION_JSON)
public class StatusResource {

    public record Status(Instant now, boolean marketOpen, String publishing, List<ProviderRouter.ProviderState> providers,
                         List<Tier> tiers) {
    }

    public record Tier(int tier, long quoteIntervalSeconds, List<BookkeepingRepository.SyncState> states) {
    }

    private final ProviderRouter router;
    private final BookkeepingRepository bookkeeping;
    private final TradingCalendar calendar;
    private final FeedService feed;
    private final RedisPublisher publisher;
    private final Clock clock;

    public StatusResource(ProviderRouter router, BookkeepingRepository bookkeeping, TradingCalendar calendar,
                          FeedService feed, RedisPublisher publisher, Clock clock) {
        this.router = router;
        this.bookkeeping = bookkeeping;
        this.calendar = calendar;
        this.feed = feed;
        this.publisher = publisher;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "Providers (circuit, quota, calls, errors) and tiers (last success, lag, rows, errors)")
    public Uni<Status> status() {
        Instant now = clock.instant();
        return bookkeeping.syncStates().map(states -> {
            List<Tier> tiers = new ArrayList<>();
            for (int tier = 1; tier <= 4; tier++) {
                int t = tier;
                tiers.add(new Tier(tier, feed.quoteInterval(tier).toSeconds(),
                        states.stream().filter(s -> s.tier() == t).toList()));
            }
            return new Status(now, calendar.isOpen(now), publisher.lastFailure() == null ? "ok" : "degraded",
                    router.states(states.stream().collect(java.util.stream.Collectors.groupingBy(
                            BookkeepingRepository.SyncState::provider,
                            java.util.stream.Collectors.summingLong(BookkeepingRepository.SyncState::rowsWritten)))),
                    tiers);
        });
    }
}
