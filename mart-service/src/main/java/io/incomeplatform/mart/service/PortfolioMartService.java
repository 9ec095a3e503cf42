package io.incomeplatform.mart.service;

import io.incomeplatform.mart.config.MartConfig;
import io.incomeplatform.mart.messaging.MartsRefreshedPublisher;
import io.incomeplatform.mart.repository.PortfolioRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Per-user portfolio marts: for each portfolio with transactions and for all of them together
 * (scope {@link #ALL_PORTFOLIOS}), the period returns against the profile's benchmark, the value at
 * as-of and the money-weighted return, written to the serving side.
 */
@ApplicationScoped
public class PortfolioMartService {

    public static final UUID ALL_PORTFOLIOS = new UUID(0, 0);
    public static final List<String> MARTS = List.of("portfolio_performance", "portfolio_summary");
    private static final Logger LOG = Logger.getLogger(PortfolioMartService.class);

    private final PortfolioRepository repository;
    private final MartsRefreshedPublisher publisher;
    private final MartMetrics metrics;
    private final MartConfig config;

    public PortfolioMartService(PortfolioRepository repository, MartsRefreshedPublisher publisher, MartMetrics metrics,
                                MartConfig config) {
        this.repository = repository;
        this.publisher = publisher;
        this.metrics = metrics;
        this.config = config;
    }

    /** Recomputes one user (after a ledger or profile edit) and tells the dashboard and realtime services. */
    public Uni<Void> recomputeUserAndNotify(UUID userId) {
        return recomputeUser(userId).chain(computedAt -> publisher.publish(MARTS, List.of(userId), null, null, computedAt)
                .onFailure().invoke(e -> LOG.warnf("Could not publish portfolio marts of %s: %s", userId, e.getMessage()))
                .onFailure().recoverWithNull());
    }

    /** Every user with transactions, one after the other; users without transactions lose their rows. */
    public Uni<Void> recomputeAll() {
        return repository.usersWithTransactions()
                .chain(users -> Multi.createFrom().iterable(users)
                        .onItem().transformToUni(user -> recomputeUser(user)
                                .onFailure().invoke(e -> LOG.errorf(e, "Portfolio marts of %s failed", user))
                                .onFailure().recoverWithNull())
                        .merge(config.refresh().portfolioConcurrency())
                        .collect().last())
                .chain(repository::deleteUsersWithoutTransactions)
                .replaceWithVoid();
    }

    public Uni<OffsetDateTime> recomputeUser(UUID userId) {
        long t0 = System.nanoTime();
        return Uni.combine().all().unis(repository.ledger(userId), repository.benchmark(userId)).asTuple()
                .chain(t -> {
                    String benchmark = t.getItem2() == null ? config.benchmark() : t.getItem2();
                    List<PortfolioRepository.LedgerRow> ledger = t.getItem1();
                    return repository.asOf(benchmark).chain(asOf -> compute(ledger, benchmark, asOf));
                })
                .chain(scopes -> {
                    OffsetDateTime computedAt = OffsetDateTime.now(ZoneOffset.UTC);
                    return repository.replace(userId, scopes, computedAt).replaceWith(computedAt);
                })
                .ifNoItem().after(config.refresh().portfolioTimeout()).fail()
                .onItemOrFailure().invoke((ok, e) -> metrics.portfolioComputed(Duration.ofNanos(System.nanoTime() - t0), e != null));
    }

    private Uni<List<PortfolioRepository.ScopeResult>> compute(List<PortfolioRepository.LedgerRow> ledger, String benchmark,
                                                               LocalDate asOf) {
        if (ledger.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Set<String> symbols = new LinkedHashSet<>();
        symbols.add(benchmark);
        ledger.forEach(row -> symbols.add(row.tx().symbol()));
        List<String> symbolList = new ArrayList<>(symbols);
        if (asOf == null) {
            return Uni.createFrom().item(scopes(ledger).entrySet().stream().map(e -> new PortfolioRepository.ScopeResult(e.getKey(),
                    benchmark, PortfolioCalculator.compute(e.getValue(), Map.of(), Map.of(), benchmark, null))).toList());
        }
        LocalDate firstTrade = ledger.stream().map(row -> row.tx().date()).min(LocalDate::compareTo).orElseThrow();
        // Enough history for the longest period (5y) and for every day since the first transaction.
        LocalDate from = firstTrade.isBefore(asOf.minusMonths(60)) ? firstTrade.minusDays(10) : asOf.minusMonths(60).minusDays(10);
        return Uni.combine().all().unis(repository.closes(symbolList, from, asOf), repository.dividends(symbolList, asOf)).asTuple()
                .map(t -> scopes(ledger).entrySet().stream().map(e -> new PortfolioRepository.ScopeResult(e.getKey(), benchmark,
                        PortfolioCalculator.compute(e.getValue(), t.getItem1(), t.getItem2(), benchmark, asOf))).toList());
    }

    /** The all-portfolios scope first, then each portfolio. */
    private static Map<UUID, List<PortfolioCalculator.Tx>> scopes(List<PortfolioRepository.LedgerRow> ledger) {
        Map<UUID, List<PortfolioCalculator.Tx>> scopes = new LinkedHashMap<>();
        scopes.put(ALL_PORTFOLIOS, ledger.stream().map(PortfolioRepository.LedgerRow::tx).toList());
        for (PortfolioRepository.LedgerRow row : ledger) {
            scopes.computeIfAbsent(row.portfolioId(), id -> new ArrayList<>()).add(row.tx());
        }
        return scopes;
    }
}
