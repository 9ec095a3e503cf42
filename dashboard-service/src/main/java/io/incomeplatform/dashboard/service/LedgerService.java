package io.incomeplatform.dashboard.service;

import io.incomeplatform.dashboard.config.DashboardConfig;
import io.incomeplatform.dashboard.messaging.PortfolioEvents;
import io.incomeplatform.dashboard.repository.PortfolioRepository;
import io.incomeplatform.dashboard.repository.TransactionRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * Ledger writes. Each one validates its input, then, in one transaction holding the portfolio's row
 * lock, replays the portfolio's ledger with the change and refuses it (422) if any sale would then
 * sell more than was held on its date. After the commit the change is announced (PortfolioEvents).
 */
@ApplicationScoped
public class LedgerService {

    /** One page of the ledger, newest first. */
    public record LedgerPage(List<LedgerEntry> items, int page, int size, long total) {
    }

    /** One row of a rejected CSV import. */
    public record RowError(int row, String field, String message) {
    }

    @Inject
    Pool pool;
    @Inject
    PortfolioRepository portfolios;
    @Inject
    TransactionRepository transactions;
    @Inject
    PortfolioEvents events;
    @Inject
    DashboardConfig config;

    public Uni<LedgerEntry> add(UUID userId, UUID portfolioId, TransactionInput input) {
        List<ApiProblem.FieldError> errors = input.validate(today());
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(ApiProblem.invalid(errors));
        }
        LedgerEntry entry = input.toEntry(UUID.randomUUID(), portfolioId);
        return transactions.knownSymbols(Set.of(entry.symbol()))
                .invoke(known -> {
                    if (known.isEmpty()) {
                        throw ApiProblem.invalid("symbol", "unknown symbol: " + entry.symbol());
                    }
                })
                .chain(() -> write(userId, portfolioId, conn -> transactions.activeInPortfolio(conn, userId, portfolioId)
                        .invoke(existing -> {
                            List<LedgerEntry> after = new ArrayList<>(existing);
                            after.add(entry);
                            Holdings.firstOversell(after).ifPresent(o -> {
                                throw oversold(o);
                            });
                        })
                        .chain(() -> transactions.insert(conn, userId, List.of(entry)))
                        .chain(() -> transactions.find(conn, userId, portfolioId, entry.id()))));
    }

    /** Validates every row first; stores all of them or none. */
    public Uni<List<LedgerEntry>> importCsv(UUID userId, UUID portfolioId, String csv) {
        List<CsvTransactions.Row> rows = CsvTransactions.parse(csv);
        if (rows.isEmpty()) {
            return Uni.createFrom().failure(ApiProblem.invalid("body", "the CSV has a header but no transactions"));
        }
        if (rows.size() > config.ledger().maxImportRows()) {
            return Uni.createFrom().failure(ApiProblem.invalid("body", "at most " + config.ledger().maxImportRows() + " rows per import"));
        }
        LocalDate today = today();
        Set<String> symbols = new TreeSet<>();
        rows.forEach(r -> symbols.add(r.input().normalizedSymbol()));
        return transactions.knownSymbols(symbols).chain(known -> {
            List<RowError> errors = new ArrayList<>();
            Map<UUID, Integer> rowOfEntry = new LinkedHashMap<>();
            List<LedgerEntry> entries = new ArrayList<>();
            for (CsvTransactions.Row row : rows) {
                List<ApiProblem.FieldError> rowErrors = new ArrayList<>(row.errors());
                if (rowErrors.isEmpty()) {
                    rowErrors.addAll(row.input().validate(today));
                }
                if (rowErrors.isEmpty() && !known.contains(row.input().normalizedSymbol())) {
                    rowErrors.add(new ApiProblem.FieldError("symbol", "unknown symbol: " + row.input().normalizedSymbol()));
                }
                rowErrors.forEach(e -> errors.add(new RowError(row.line(), e.field(), e.message())));
                if (rowErrors.isEmpty()) {
                    LedgerEntry entry = row.input().toEntry(UUID.randomUUID(), portfolioId);
                    entries.add(entry);
                    rowOfEntry.put(entry.id(), row.line());
                }
            }
            if (!errors.isEmpty()) {
                return Uni.createFrom().failure(importRejected(errors, "No row was stored: fix the rows listed in errors."));
            }
            return write(userId, portfolioId, conn -> transactions.activeInPortfolio(conn, userId, portfolioId)
                    .invoke(existing -> {
                        List<LedgerEntry> after = new ArrayList<>(existing);
                        after.addAll(entries);
                        Holdings.firstOversell(after).ifPresent(o -> {
                            throw oversold(o);
                        });
                    })
                    .chain(() -> transactions.insert(conn, userId, entries))
                    .replaceWith(entries));
        });
    }

    public Uni<Void> delete(UUID userId, UUID portfolioId, UUID transactionId) {
        return write(userId, portfolioId, conn -> transactions.activeInPortfolio(conn, userId, portfolioId)
                .chain(existing -> {
                    List<LedgerEntry> after = existing.stream().filter(e -> !e.id().equals(transactionId)).toList();
                    if (after.size() == existing.size()) {
                        return Uni.createFrom().failure(ApiProblem.notFound("Transaction " + transactionId));
                    }
                    Holdings.firstOversell(after).ifPresent(o -> {
                        throw oversold(o);
                    });
                    return transactions.softDelete(conn, userId, portfolioId, transactionId);
                })
                .replaceWithVoid());
    }

    public Uni<LedgerPage> page(UUID userId, UUID portfolioId, Integer page, Integer size) {
        int p = page == null ? 0 : page;
        int s = size == null ? config.ledger().defaultPageSize() : size;
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (p < 0) {
            errors.add(new ApiProblem.FieldError("page", "must be 0 or more"));
        }
        if (s < 1 || s > config.ledger().maxPageSize()) {
            errors.add(new ApiProblem.FieldError("size", "must be between 1 and " + config.ledger().maxPageSize()));
        }
        if (!errors.isEmpty()) {
            return Uni.createFrom().failure(ApiProblem.invalid(errors));
        }
        return portfolios.find(userId, portfolioId)
                .onItem().ifNull().failWith(() -> ApiProblem.notFound("Portfolio " + portfolioId))
                .chain(found -> transactions.page(userId, portfolioId, p, s))
                .map(found -> new LedgerPage(found.items(), p, s, found.total()));
    }

    /** Runs a ledger change in one transaction holding the portfolio's lock, then announces it. */
    private <T> Uni<T> write(UUID userId, UUID portfolioId, Function<SqlConnection, Uni<T>> change) {
        return pool.withTransaction(conn -> portfolios.lockForLedgerWrite(conn, userId, portfolioId)
                        .chain(found -> found ? change.apply(conn)
                                : Uni.createFrom().failure(ApiProblem.notFound("Portfolio " + portfolioId))))
                .call(() -> events.ledgerChanged(userId, portfolioId));
    }

    private LocalDate today() {
        return LocalDate.now(config.ledger().zone());
    }

    private static ApiProblem oversold(Holdings.Oversell o) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("symbol", o.symbol());
        details.put("date", o.date().toString());
        details.put("heldShares", o.held().stripTrailingZeros());
        details.put("requestedShares", o.requested().stripTrailingZeros());
        return ApiProblem.unprocessable("Selling " + o.requested().stripTrailingZeros().toPlainString() + " " + o.symbol()
                + " on " + o.date() + " but only " + o.held().stripTrailingZeros().toPlainString() + " held then.", details);
    }

    private static ApiProblem importRejected(List<RowError> errors, String detail) {
        return ApiProblem.unprocessable(detail, Map.of("errors", errors));
    }
}
