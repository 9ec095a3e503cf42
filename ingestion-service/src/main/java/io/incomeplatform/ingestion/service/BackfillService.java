package io.incomeplatform.ingestion.service;

import io.incomeplatform.ingestion.repository.BackfillRepository;
import io.incomeplatform.ingestion.service.IngestService.Outcome;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * POST /api/v1/backfill as a job: symbol by symbol, bars, dividends and splits for [from, to] from the
 * requested provider (or the configured order), each symbol's range recorded so that asking for the same
 * (provider, symbol, range) again fetches nothing. The job runs after the 202 is sent.
 */
@ApplicationScoped
public class BackfillService {

    private static final Logger LOG = Logger.getLogger(BackfillService.class);
    /** The provider key of ranges fetched in the configured order (no provider requested). */
    static final String ANY_PROVIDER = "auto";

    private final BackfillRepository jobs;
    private final FeedService feed;

    public BackfillService(BackfillRepository jobs, FeedService feed) {
        this.jobs = jobs;
        this.feed = feed;
    }

    /** Creates the job and starts it; the returned id is all the caller waits for. */
    public Uni<UUID> submit(List<String> symbols, LocalDate from, LocalDate to, Optional<String> provider) {
        UUID id = UUID.randomUUID();
        return jobs.create(id, provider.orElse(null), symbols, from, to)
                .invoke(() -> run(id, symbols, from, to, provider).subscribe().with(
                        ignored -> { },
                        failure -> LOG.errorf("Backfill job %s failed: %s", id, failure.getMessage())))
                .replaceWith(id);
    }

    public Uni<Optional<BackfillRepository.Job>> find(UUID id) {
        return jobs.find(id);
    }

    private Uni<Void> run(UUID id, List<String> symbols, LocalDate from, LocalDate to, Optional<String> provider) {
        String key = provider.orElse(ANY_PROVIDER);
        List<String> candidates = provider.map(List::of).orElse(List.of());
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        return jobs.markRunning(id)
                .chain(() -> jobs.alreadyDone(key, symbols, from, to))
                .chain(done -> Multi.createFrom().iterable(symbols)
                        .onItem().transformToUniAndConcatenate(symbol -> {
                            if (done.contains(symbol)) {
                                skipped.incrementAndGet();
                                return Uni.createFrom().item(Outcome.NONE);
                            }
                            return feed.fetchSymbol(symbol, from, to, candidates)
                                    .call(result -> jobs.recordRange(key, symbol, from, to, id, "succeeded",
                                            result.provider(), result.outcome().accepted(), null))
                                    .map(FeedService.SymbolResult::outcome)
                                    .onFailure().recoverWithUni(failure -> {
                                        failed.incrementAndGet();
                                        return jobs.recordRange(key, symbol, from, to, id, "failed", null, 0,
                                                String.valueOf(failure.getMessage())).replaceWith(Outcome.NONE);
                                    });
                        })
                        .collect().with(java.util.stream.Collectors.reducing(Outcome.NONE, Outcome::plus)))
                .chain(total -> {
                    String status = failed.get() == 0 ? "succeeded" : failed.get() == symbols.size() ? "failed" : "partial";
                    String detail = skipped.get() == 0 ? null : skipped.get() + " symbol(s) already backfilled for this range";
                    return jobs.finish(id, status, total.accepted(), total.duplicates(), total.rejected(), detail);
                })
                .onFailure().recoverWithUni(failure -> jobs.finish(id, "failed", 0, 0, 0, failure.getMessage()));
    }
}
