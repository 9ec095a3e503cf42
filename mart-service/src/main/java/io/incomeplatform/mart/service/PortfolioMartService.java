package io.incomeplatform.mart.service;

import io.incomeplatform.mart.config.MartConfig;
import io.incomeplatform.mart.messaging.MartsRefreshedPublisher;
import io.incomeplatform.mart.repository.MartRepository;
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
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BinaryOperator;
import java.util.stream.Collectors;

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
    /** This pass's mark in mart.change_marks. */
    static final String CHANGE_MARK = "portfolio";
    /** Above this many changed symbols the pass recomputes every user instead of looking up holders. */
    private static final int CHANGED_SYMBOLS_LISTED = 50_000;

    private final PortfolioRepository repository;
    private final MartRepository marts;
    private final MartsRefreshedPublisher publisher;
    private final MartMetrics metrics;
    private final MartConfig config;

    public PortfolioMartService(PortfolioRepository repository, MartRepository marts, MartsRefreshedPublisher publisher,
                                MartMetrics metrics, MartConfig config) {
        this.repository = repository;
        this.marts = marts;
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

    /**
     * Every user with transactions, {@code portfolio-concurrency} at a time; users without transactions
     * lose their rows. Returns how many users were recomputed.
     */
    public Uni<Integer> recomputeAll() {
        return repository.usersWithTransactions()
                .chain(users -> recompute(users, Map.of()).replaceWith(users.size()))
                .call(repository::deleteUsersWithoutTransactions);
    }

    /**
     * The scheduled pass: only the users whose inputs changed since their marts were computed
     * ({@link PortfolioRepository#usersToRecompute}): every user once per new as-of date, otherwise those
     * holding a symbol whose staging rows changed (mart.changes, read from this pass's own mark), and
     * those whose ledger or profile changed without the change event reaching us. The mark moves only
     * when every user succeeded, so the next pass retries the same changes. Returns how many users were
     * recomputed.
     */
    public Uni<Integer> recomputeChanged() {
        return marts.pendingInputs(CHANGE_MARK, CHANGED_SYMBOLS_LISTED).chain(changes -> repository.benchmarks(config.benchmark())
                .chain(repository::asOfs)
                .chain(asOfs -> (changes.everything() ? repository.usersWithTransactions()
                        : repository.usersToRecompute(changes.symbols(), asOfs, config.benchmark()))
                        .chain(users -> recompute(users, asOfs)
                                .chain(failures -> failures == 0 && changes.any() ? marts.markInputsTaken(CHANGE_MARK, changes.uptoId())
                                        : Uni.createFrom().voidItem())
                                .replaceWith(users.size()))))
                .call(repository::deleteUsersWithoutTransactions);
    }

    /** Recomputes the users, {@code portfolio-concurrency} at a time; returns how many failed. */
    private Uni<Integer> recompute(List<UUID> users, Map<String, LocalDate> asOfs) {
        if (users.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return Multi.createFrom().iterable(users)
                .onItem().transformToUni(user -> recomputeUser(user, asOfs).replaceWith(0)
                        .onFailure().invoke(e -> LOG.errorf(e, "Portfolio marts of %s failed", user))
                        .onFailure().recoverWithItem(1))
                .merge(config.refresh().portfolioConcurrency())
                .collect().with(Collectors.summingInt(Integer::intValue));
    }

    public Uni<OffsetDateTime> recomputeUser(UUID userId) {
        return recomputeUser(userId, Map.of());
    }

    /** @param asOfs the benchmarks' as-of dates when the caller has just read them, else empty */
    private Uni<OffsetDateTime> recomputeUser(UUID userId, Map<String, LocalDate> asOfs) {
        long t0 = System.nanoTime();
        // The default benchmark's as-of is read along with the ledger (most profiles keep the default): one
        // round trip less before the closes can be read.
        String defaultBenchmark = config.benchmark();
        return Uni.combine().all().unis(repository.ledger(userId), repository.benchmark(userId), asOf(defaultBenchmark, asOfs)).asTuple()
                .chain(t -> {
                    String benchmark = t.getItem2() == null ? defaultBenchmark : t.getItem2();
                    List<PortfolioRepository.LedgerRow> ledger = t.getItem1();
                    Uni<LocalDate> asOf = benchmark.equals(defaultBenchmark) ? Uni.createFrom().item(t.getItem3()) : asOf(benchmark, asOfs);
                    return asOf.chain(date -> compute(ledger, benchmark, date));
                })
                .chain(scopes -> {
                    OffsetDateTime computedAt = OffsetDateTime.now(ZoneOffset.UTC);
                    return repository.replace(userId, scopes, computedAt).replaceWith(computedAt);
                })
                .ifNoItem().after(config.refresh().portfolioTimeout()).fail()
                .onItemOrFailure().invoke((ok, e) -> metrics.portfolioComputed(Duration.ofNanos(System.nanoTime() - t0), e != null));
    }

    private Uni<LocalDate> asOf(String benchmark, Map<String, LocalDate> asOfs) {
        return asOfs.containsKey(benchmark) ? Uni.createFrom().item(asOfs.get(benchmark)) : repository.asOf(benchmark);
    }

    private Uni<List<PortfolioRepository.ScopeResult>> compute(List<PortfolioRepository.LedgerRow> ledger, String benchmark,
                                                               LocalDate asOf) {
        if (ledger.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        if (asOf == null) {
            return Uni.createFrom().item(scopes(ledger).entrySet().stream().map(e -> new PortfolioRepository.ScopeResult(e.getKey(),
                    benchmark, PortfolioCalculator.withoutMarket(e.getValue()))).toList());
        }
        // A held symbol's closes matter from its first transaction on (nothing was held before); the
        // benchmark's over the longest period (5y) and every day since the user's first transaction.
        BinaryOperator<LocalDate> earlier = BinaryOperator.minBy(Comparator.naturalOrder());
        Map<String, LocalDate> from = new HashMap<>();
        ledger.forEach(row -> from.merge(row.tx().symbol(), row.tx().date(), earlier));
        from.merge(benchmark, earlier.apply(Collections.min(from.values()), asOf.minusMonths(60)), earlier);
        List<String> symbols = new ArrayList<>(from.keySet());
        return Uni.combine().all().unis(repository.closes(from, asOf), repository.dividends(symbols, asOf)).asTuple()
                .map(t -> {
                    PortfolioCalculator.Market market = new PortfolioCalculator.Market(t.getItem1(), t.getItem2(), benchmark, asOf);
                    Map<UUID, List<PortfolioCalculator.Tx>> scopes = scopes(ledger);
                    // With a single portfolio the all-portfolios scope has the same transactions: computed once.
                    PortfolioCalculator.Result all = PortfolioCalculator.compute(scopes.get(ALL_PORTFOLIOS), market, asOf);
                    return scopes.entrySet().stream().map(e -> new PortfolioRepository.ScopeResult(e.getKey(), benchmark,
                            e.getKey().equals(ALL_PORTFOLIOS) || scopes.size() == 2 ? all
                                    : PortfolioCalculator.compute(e.getValue(), market, asOf))).toList();
                });
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
