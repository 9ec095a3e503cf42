package io.incomeplatform.dashboard.service;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Replays a ledger into holdings (calculations.md, Portfolio): date order, and on the same date
 * BUY, then SPLIT, then SELL (then creation order). Average-cost basis; a SPLIT multiplies shares and
 * keeps the basis.
 */
public final class Holdings {

    public static final MathContext MC = MathContext.DECIMAL128;

    /** Shares and cost basis of one symbol. */
    public record Position(String symbol, BigDecimal shares, BigDecimal costBasis) {
    }

    /**
     * What a dashboard takes from a ledger: its positions, its latest entries (latest first) and its first
     * trade date (null for an empty ledger).
     */
    public record Replayed(List<Position> positions, List<LedgerEntry> recent, LocalDate firstTradeDate) {
    }

    /** A SELL that exceeds what was held on its date. */
    public record Oversell(String symbol, LocalDate date, BigDecimal held, BigDecimal requested) {
    }

    /** Date, then BUY, SPLIT, SELL, then creation (unsaved last); written out, as it runs for every row of every miss. */
    private static final Comparator<LedgerEntry> LEDGER_ORDER = (a, b) -> {
        int byDate = a.date().compareTo(b.date());
        if (byDate != 0) {
            return byDate;
        }
        int byType = Integer.compare(typeRank(a), typeRank(b));
        if (byType != 0) {
            return byType;
        }
        Instant createdA = a.createdAt() == null ? Instant.MAX : a.createdAt();
        Instant createdB = b.createdAt() == null ? Instant.MAX : b.createdAt();
        return createdA.compareTo(createdB);
    };

    private Holdings() {
    }

    private static int typeRank(LedgerEntry e) {
        return switch (e.type()) {
            case LedgerEntry.BUY -> 0;
            case LedgerEntry.SPLIT -> 1;
            default -> 2;
        };
    }

    public static List<LedgerEntry> inLedgerOrder(List<LedgerEntry> entries) {
        List<LedgerEntry> sorted = new ArrayList<>(entries);
        sorted.sort(LEDGER_ORDER);
        return sorted;
    }

    /** The first SELL in ledger order that sells more than was then held, if any. */
    public static Optional<Oversell> firstOversell(List<LedgerEntry> entries) {
        Map<String, BigDecimal> shares = new TreeMap<>();
        for (LedgerEntry e : inLedgerOrder(entries)) {
            BigDecimal held = shares.getOrDefault(e.symbol(), BigDecimal.ZERO);
            switch (e.type()) {
                case LedgerEntry.BUY -> shares.put(e.symbol(), held.add(e.shares()));
                case LedgerEntry.SPLIT -> shares.put(e.symbol(), held.multiply(e.shares(), MC));
                default -> {
                    if (e.shares().compareTo(held) > 0) {
                        return Optional.of(new Oversell(e.symbol(), e.date(), held, e.shares()));
                    }
                    shares.put(e.symbol(), held.subtract(e.shares()));
                }
            }
        }
        return Optional.empty();
    }

    /** The ledger replayed for a dashboard that lists its recentCount latest entries. */
    public static Replayed replay(List<LedgerEntry> entries, int recentCount) {
        LocalDate first = null;
        for (LedgerEntry e : entries) {
            if (first == null || e.date().isBefore(first)) {
                first = e.date();
            }
        }
        return new Replayed(positions(entries), List.copyOf(newest(entries, recentCount)), first);
    }

    /** Latest trade date first, then latest created, then highest id. */
    private static final Comparator<LedgerEntry> NEWEST_FIRST = (a, b) -> {
        int byDate = b.date().compareTo(a.date());
        if (byDate != 0) {
            return byDate;
        }
        int byCreation = b.createdAt().compareTo(a.createdAt());
        return byCreation != 0 ? byCreation : b.id().compareTo(a.id());
    };

    /** The count newest entries, newest first: picked in one pass rather than by sorting the whole ledger. */
    public static List<LedgerEntry> newest(List<LedgerEntry> ledger, int count) {
        List<LedgerEntry> newest = new ArrayList<>(count + 1);
        for (LedgerEntry e : ledger) {
            if (newest.size() == count && NEWEST_FIRST.compare(e, newest.get(count - 1)) >= 0) {
                continue;
            }
            int found = Collections.binarySearch(newest, e, NEWEST_FIRST);
            newest.add(found < 0 ? -found - 1 : found, e);
            if (newest.size() > count) {
                newest.remove(count);
            }
        }
        return newest;
    }

    /**
     * Positions after the whole ledger, sorted by symbol; symbols sold out are left out. Each portfolio
     * keeps its own average cost (a sale in one portfolio does not move the basis of another), and
     * the portfolios' positions are then added up.
     */
    public static List<Position> positions(List<LedgerEntry> entries) {
        Map<String, BigDecimal[]> total;
        UUID firstPortfolio = entries.isEmpty() ? null : entries.get(0).portfolioId();
        if (entries.stream().allMatch(e -> Objects.equals(e.portfolioId(), firstPortfolio))) {
            total = replay(entries);
        } else {
            total = new HashMap<>();
            for (List<LedgerEntry> portfolioEntries : entries.stream().collect(Collectors.groupingBy(LedgerEntry::portfolioId)).values()) {
                replay(portfolioEntries).forEach((symbol, s) -> {
                    BigDecimal[] t = total.computeIfAbsent(symbol, k -> new BigDecimal[]{BigDecimal.ZERO, BigDecimal.ZERO});
                    t[0] = t[0].add(s[0]);
                    t[1] = t[1].add(s[1]);
                });
            }
        }
        List<Position> positions = new ArrayList<>(total.size());
        total.forEach((symbol, s) -> {
            if (s[0].signum() > 0) {
                positions.add(new Position(symbol, s[0].stripTrailingZeros(), s[1].stripTrailingZeros()));
            }
        });
        positions.sort(Comparator.comparing(Position::symbol));
        return positions;
    }

    private static Map<String, BigDecimal[]> replay(List<LedgerEntry> entries) {
        Map<String, BigDecimal[]> state = new HashMap<>();
        for (LedgerEntry e : inLedgerOrder(entries)) {
            BigDecimal[] s = state.computeIfAbsent(e.symbol(), k -> new BigDecimal[]{BigDecimal.ZERO, BigDecimal.ZERO});
            switch (e.type()) {
                case LedgerEntry.BUY -> {
                    s[0] = s[0].add(e.shares());
                    s[1] = s[1].add(e.shares().multiply(e.price())).add(e.fee());
                }
                case LedgerEntry.SPLIT -> s[0] = s[0].multiply(e.shares(), MC);
                default -> {
                    if (s[0].signum() > 0) {
                        BigDecimal soldBasis = s[1].multiply(e.shares()).divide(s[0], MC);
                        s[1] = s[1].subtract(soldBasis);
                    }
                    s[0] = s[0].subtract(e.shares());
                }
            }
        }
        state.values().removeIf(s -> s[0].signum() <= 0);
        return state;
    }
}
