package io.incomeplatform.ingestion.client;

import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.model.Bar;
import io.incomeplatform.ingestion.model.Dividend;
import io.incomeplatform.ingestion.model.Security;
import io.incomeplatform.ingestion.model.Split;
import io.incomeplatform.ingestion.model.Tick;
import io.incomeplatform.ingestion.service.TradingCalendar;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A deterministic market so the platform runs with no keys and no internet: for a seed, every symbol's
 * prices are a fixed random walk over the trading calendar (the close on 2026-01-02 equals the universe's
 * reference price), intraday quotes move from the previous close towards the day's close, and dividends
 * follow the symbol's schedule (weekly on Thursdays, monthly, quarterly, ...), raised once a year.
 * The same seed, symbol and time always give the same numbers. Symbols outside the bundled universe get
 * parameters derived from their name.
 */
@ApplicationScoped
public class SimulatedProvider implements MarketDataProvider {

    public static final String NAME = "simulated";
    static final LocalDate ANCHOR = LocalDate.of(2026, 1, 2);
    static final LocalDate FIRST_DAY = LocalDate.of(2010, 1, 4);
    static final LocalDate LAST_DAY = LocalDate.of(2035, 12, 31);

    private final IngestionConfig.Simulated config;
    private final SimulatedUniverse universe;
    private final TradingCalendar calendar;
    private final Clock clock;
    private final Map<String, Walk> walks = new ConcurrentHashMap<>();

    public SimulatedProvider(IngestionConfig config, SimulatedUniverse universe, TradingCalendar calendar, Clock clock) {
        this.config = config.providers().simulated();
        this.universe = universe;
        this.calendar = calendar;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean enabled() {
        return config.enabled();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public int maxSymbolsPerRequest() {
        return 500;
    }

    @Override
    public int requestsPerMinute() {
        return config.requestsPerMinute();
    }

    /** Simulation parameters of one symbol. */
    record Profile(BigDecimal basePrice, double volatility, int dividendFrequency, double dividendYield,
                   double annualRaise, int dayOfMonth, int monthOffset, long baseVolume) {
    }

    /** Closes of one symbol on every trading day from FIRST_DAY to LAST_DAY. */
    record Walk(List<LocalDate> days, double[] closes) {
        int indexOf(LocalDate date) {
            int i = java.util.Collections.binarySearch(days, date);
            return i >= 0 ? i : -i - 2; // the trading day on or before date (-1 if none)
        }
    }

    // --- the three capabilities ---------------------------------------------------------------

    /** Quotes as of now; outside the session, the last close. */
    @Override
    public Uni<List<Tick>> quotes(List<String> symbols) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        List<Tick> ticks = new ArrayList<>(symbols.size());
        for (String symbol : symbols) {
            ticks.add(quoteAt(symbol, now));
        }
        return Uni.createFrom().item(ticks);
    }

    @Override
    public Uni<List<Bar>> dailyBars(String symbol, LocalDate from, LocalDate to) {
        return Uni.createFrom().item(() -> bars(symbol, from, to));
    }

    @Override
    public Uni<List<Dividend>> dividends(String symbol, LocalDate from, LocalDate to) {
        return Uni.createFrom().item(() -> dividendsOf(symbol, from, to));
    }

    @Override
    public Uni<List<Split>> splits(String symbol, LocalDate from, LocalDate to) {
        return Uni.createFrom().item(List.of()); // the simulated market never splits
    }

    // --- the model ----------------------------------------------------------------------------

    public Tick quoteAt(String symbol, Instant at) {
        Profile profile = profile(symbol);
        LocalDate date = calendar.exchangeDate(at);
        Optional<TradingCalendar.Session> session = calendar.session(date);
        double price;
        if (session.isEmpty() || at.isBefore(session.get().open().toInstant())) {
            price = close(symbol, calendar.previousTradingDay(date));
        } else if (!at.isBefore(session.get().close().toInstant())) {
            price = close(symbol, date);
        } else {
            double previous = close(symbol, calendar.previousTradingDay(date));
            double dayReturn = Math.log(close(symbol, date) / previous);
            Instant open = session.get().open().toInstant();
            double u = (double) Duration.between(open, at).toSeconds()
                    / Duration.between(open, session.get().close().toInstant()).toSeconds();
            long minute = at.getEpochSecond() / 60;
            double wiggle = random(symbol, minute, 3).nextGaussian() * Math.sqrt(u * (1 - u)) * profile.volatility();
            price = previous * Math.exp(dayReturn * u + wiggle);
        }
        long volume = (long) (profile.baseVolume() * (0.5 + random(symbol, at.getEpochSecond(), 4).nextDouble())) / 100;
        return new Tick(symbol, at, money(price, RoundingMode.HALF_EVEN), volume, NAME);
    }

    List<Bar> bars(String symbol, LocalDate from, LocalDate to) {
        Profile profile = profile(symbol);
        LocalDate today = calendar.exchangeDate(clock.instant());
        List<Bar> bars = new ArrayList<>();
        for (LocalDate day : calendar.tradingDays(from, to.isAfter(today) ? today : to)) {
            Optional<TradingCalendar.Session> session = calendar.session(day);
            if (session.isEmpty() || session.get().close().toInstant().isAfter(clock.instant())) {
                continue; // no bar before the session has closed
            }
            double close = close(symbol, day);
            double previous = close(symbol, calendar.previousTradingDay(day));
            SplittableRandom r = random(symbol, day.toEpochDay(), 2);
            double open = previous * Math.exp(Math.log(close / previous) * 0.2 * r.nextDouble()
                    + r.nextGaussian() * profile.volatility() * 0.2);
            double high = Math.max(open, close) * (1 + Math.abs(r.nextGaussian()) * profile.volatility() * 0.5);
            double low = Math.min(open, close) * (1 - Math.abs(r.nextGaussian()) * profile.volatility() * 0.5);
            long volume = (long) (profile.baseVolume() * (0.6 + 0.8 * r.nextDouble()));
            bars.add(new Bar(symbol, day, money(open, RoundingMode.HALF_EVEN), money(high, RoundingMode.CEILING),
                    money(low, RoundingMode.FLOOR), money(close, RoundingMode.HALF_EVEN), null, volume, NAME));
        }
        return bars;
    }

    /** Dividends with ex-date in [from, to] that are declared by now (declared 4 weeks before the ex-date). */
    List<Dividend> dividendsOf(String symbol, LocalDate from, LocalDate to) {
        Profile p = profile(symbol);
        List<Dividend> dividends = new ArrayList<>();
        if (p.dividendFrequency() == 0) {
            return dividends;
        }
        LocalDate today = calendar.exchangeDate(clock.instant());
        for (LocalDate exDate : exDates(p, from, to)) {
            LocalDate declared = exDate.minusDays(28);
            if (declared.isAfter(today)) {
                continue;
            }
            double amount = p.basePrice().doubleValue() * p.dividendYield() / p.dividendFrequency()
                    * Math.pow(1 + p.annualRaise(), exDate.getYear() - ANCHOR.getYear());
            if (p.dividendFrequency() == 52) {
                // weekly option-income funds pay what the week's premiums earned
                amount *= 0.8 + 0.4 * random(symbol, exDate.toEpochDay(), 5).nextDouble();
            }
            LocalDate payDate = onOrAfterTradingDay(
                    exDate.plusDays(p.dividendFrequency() == 52 ? 1 : p.dividendFrequency() == 12 ? 14 : 21));
            dividends.add(new Dividend(symbol, exDate, payDate, exDate, declared,
                    BigDecimal.valueOf(amount).setScale(4, RoundingMode.HALF_EVEN), "USD", "regular", NAME));
        }
        return dividends;
    }

    private List<LocalDate> exDates(Profile p, LocalDate from, LocalDate to) {
        List<LocalDate> dates = new ArrayList<>();
        if (p.dividendFrequency() == 52) {
            LocalDate thursday = from.with(java.time.temporal.TemporalAdjusters.nextOrSame(DayOfWeek.THURSDAY));
            for (LocalDate d = thursday; !d.isAfter(to); d = d.plusWeeks(1)) {
                dates.add(onOrBeforeTradingDay(d));
            }
            return dates;
        }
        int step = 12 / p.dividendFrequency();
        for (YearMonth month = YearMonth.from(from).minusMonths(1); !month.atDay(1).isAfter(to); month = month.plusMonths(1)) {
            if ((month.getMonthValue() - 1) % step != p.monthOffset() % step) {
                continue;
            }
            LocalDate exDate = onOrAfterTradingDay(month.atDay(Math.min(p.dayOfMonth(), month.lengthOfMonth())));
            if (!exDate.isBefore(from) && !exDate.isAfter(to)) {
                dates.add(exDate);
            }
        }
        return dates;
    }

    /** Close of a trading day (or of the last trading day before it). */
    double close(String symbol, LocalDate date) {
        Walk walk = walks.computeIfAbsent(symbol, this::walk);
        int i = walk.indexOf(date);
        return walk.closes()[Math.max(i, 0)];
    }

    private Walk walk(String symbol) {
        Profile p = profile(symbol);
        List<LocalDate> days = calendar.tradingDays(FIRST_DAY, LAST_DAY);
        double[] logs = new double[days.size()];
        for (int i = 1; i < logs.length; i++) {
            double r = 0.0002 + p.volatility() * random(symbol, days.get(i).toEpochDay(), 1).nextGaussian();
            logs[i] = logs[i - 1] + r;
        }
        int anchor = java.util.Collections.binarySearch(days, ANCHOR);
        double shift = Math.log(p.basePrice().doubleValue()) - logs[anchor];
        double[] closes = new double[logs.length];
        for (int i = 0; i < logs.length; i++) {
            closes[i] = Math.exp(logs[i] + shift);
        }
        return new Walk(days, closes);
    }

    Profile profile(String symbol) {
        int h = symbol.hashCode();
        SplittableRandom r = new SplittableRandom(config.seed() ^ ((long) h * 0x9E3779B97F4A7C15L));
        Optional<SimulatedUniverse.Member> member = universe.member(symbol);
        BigDecimal base = member.map(SimulatedUniverse.Member::basePrice)
                .orElse(BigDecimal.valueOf(20 + r.nextInt(180)));
        Security security = member.map(SimulatedUniverse.Member::security).orElse(null);
        String assetType = security == null ? "stock" : security.assetType();
        double volatility = switch (assetType) {
            case "etf" -> "Fixed Income".equals(security.sector()) ? 0.003 : 0.009;
            case "reit" -> 0.013;
            case "fund" -> 0.01;
            default -> 0.016;
        };
        int frequency = member.map(SimulatedUniverse.Member::dividendFrequency).orElse(4);
        double yield = member.map(SimulatedUniverse.Member::dividendYield).orElse(0.02 + r.nextDouble() * 0.03);
        return new Profile(base, volatility, frequency, yield, r.nextDouble() * 0.08, 1 + r.nextInt(25),
                r.nextInt(12), 200_000 + r.nextInt(20_000_000));
    }

    private SplittableRandom random(String symbol, long time, int stream) {
        long mixed = config.seed() * 0x9E3779B97F4A7C15L ^ (long) symbol.hashCode() * 0xC2B2AE3D27D4EB4FL
                ^ time * 0x165667B19E3779F9L ^ stream * 0x27D4EB2F165667C5L;
        return new SplittableRandom(mixed);
    }

    private LocalDate onOrAfterTradingDay(LocalDate date) {
        LocalDate d = date;
        while (!calendar.isTradingDay(d)) {
            d = d.plusDays(1);
        }
        return d;
    }

    private LocalDate onOrBeforeTradingDay(LocalDate date) {
        LocalDate d = date;
        while (!calendar.isTradingDay(d)) {
            d = d.minusDays(1);
        }
        return d;
    }

    private static BigDecimal money(double value, RoundingMode mode) {
        return BigDecimal.valueOf(value).setScale(value < 10 ? 4 : 2, mode);
    }
}
