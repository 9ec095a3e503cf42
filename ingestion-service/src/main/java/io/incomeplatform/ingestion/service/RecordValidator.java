package io.incomeplatform.ingestion.service;

import io.incomeplatform.ingestion.config.IngestionConfig;
import io.incomeplatform.ingestion.model.Bar;
import io.incomeplatform.ingestion.model.Dividend;
import io.incomeplatform.ingestion.model.EtfHolding;
import io.incomeplatform.ingestion.model.Security;
import io.incomeplatform.ingestion.model.ShortPosition;
import io.incomeplatform.ingestion.model.Split;
import io.incomeplatform.ingestion.model.Tick;
import io.incomeplatform.ingestion.parse.InputRecord;
import io.incomeplatform.ingestion.parse.InvalidRecordException;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules every record obeys before it is stored, whether it came through a write endpoint
 * ({@code read*}: field types, then {@code check}) or from a provider ({@code check} only).
 * A broken rule throws {@link InvalidRecordException} whose message is the rejection reason.
 */
@ApplicationScoped
public class RecordValidator {

    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9][A-Z0-9.\\-]{0,14}");
    private static final Pattern SOURCE = Pattern.compile("[a-z0-9][a-z0-9_.:\\-]{0,39}");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final Set<String> DIVIDEND_TYPES = Set.of("regular", "special");
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private final IngestionConfig.Validation rules;
    private final ZoneId exchangeZone;
    private final LocalDate earliestDate;
    private final Clock clock;

    public RecordValidator(IngestionConfig config, Clock clock) {
        this.rules = config.validation();
        this.exchangeZone = ZoneId.of(config.calendar().timeZone());
        this.earliestDate = LocalDate.parse(rules.earliestDate());
        this.clock = clock;
    }

    // --- write endpoint records ------------------------------------------------------------

    public Tick readTick(InputRecord r) throws InvalidRecordException {
        return check(new Tick(symbol(r, "symbol"), instant(r, "ts"), required(r, "price"),
                wholeNumber(r, "volume"), source(r, false)));
    }

    public Bar readBar(InputRecord r) throws InvalidRecordException {
        Long volume = wholeNumber(r, "volume");
        if (volume == null) {
            throw new InvalidRecordException("volume is required");
        }
        return check(new Bar(symbol(r, "symbol"), date(r, "date", true), required(r, "open"), required(r, "high"),
                required(r, "low"), required(r, "close"), r.number("adjClose"), volume, source(r, false)));
    }

    public Dividend readDividend(InputRecord r) throws InvalidRecordException {
        String type = r.text("type");
        String currency = r.text("currency");
        return check(new Dividend(symbol(r, "symbol"), date(r, "exDate", true), date(r, "payDate", false),
                date(r, "recordDate", false), date(r, "declaredDate", false), required(r, "amount"),
                currency == null ? "USD" : currency.toUpperCase(Locale.ROOT),
                type == null ? "regular" : type.toLowerCase(Locale.ROOT), source(r, true)));
    }

    public Security readSecurity(InputRecord r) throws InvalidRecordException {
        String name = r.text("name");
        String assetType = r.text("assetType");
        String currency = r.text("currency");
        Long tier = wholeNumber(r, "tier");
        if (tier != null && (tier < 1 || tier > 4)) {
            throw new InvalidRecordException("tier must be 1, 2, 3 or 4");
        }
        String exchange = r.text("exchange");
        return check(new Security(symbol(r, "symbol"), name, exchange == null ? null : exchange.toUpperCase(Locale.ROOT),
                assetType == null ? null : assetType.toLowerCase(Locale.ROOT), r.text("sector"), r.text("industry"),
                currency == null ? "USD" : currency.toUpperCase(Locale.ROOT), r.number("marketCap"),
                tier == null ? null : tier.intValue(), source(r, false)));
    }

    public EtfHolding readEtfHolding(InputRecord r) throws InvalidRecordException {
        return check(new EtfHolding(symbol(r, "etfSymbol"), date(r, "asOf", true), symbol(r, "holdingSymbol"),
                required(r, "weight"), r.number("shares"), r.number("marketValue"), source(r, false)));
    }

    public ShortPosition readShortPosition(InputRecord r) throws InvalidRecordException {
        return check(new ShortPosition(symbol(r, "symbol"), date(r, "date", true), required(r, "shortPosition"),
                source(r, false)));
    }

    // --- rules on typed records (also applied to provider data) --------------------------------

    public Tick check(Tick t) throws InvalidRecordException {
        checkSymbol(t.symbol(), "symbol");
        positive(t.price(), "price");
        if (t.volume() != null && t.volume() < 0) {
            throw new InvalidRecordException("volume must be >= 0");
        }
        Instant latest = clock.instant().plus(rules.maxClockSkew());
        if (t.ts().isAfter(latest)) {
            throw new InvalidRecordException("ts is in the future (beyond the allowed clock skew of "
                    + rules.maxClockSkew().toSeconds() + " s)");
        }
        if (t.ts().atZone(exchangeZone).toLocalDate().isBefore(earliestDate)) {
            throw new InvalidRecordException("ts is before " + earliestDate);
        }
        return t;
    }

    public Bar check(Bar b) throws InvalidRecordException {
        checkSymbol(b.symbol(), "symbol");
        notFuture(b.date(), "date");
        positive(b.open(), "open");
        positive(b.high(), "high");
        positive(b.low(), "low");
        positive(b.close(), "close");
        if (b.adjClose() != null) {
            positive(b.adjClose(), "adjClose");
        }
        if (b.volume() < 0) {
            throw new InvalidRecordException("volume must be >= 0");
        }
        if (b.high().compareTo(b.low()) < 0) {
            throw new InvalidRecordException("high must be >= low");
        }
        if (b.high().compareTo(b.open()) < 0 || b.high().compareTo(b.close()) < 0) {
            throw new InvalidRecordException("high must be >= open and close");
        }
        if (b.low().compareTo(b.open()) > 0 || b.low().compareTo(b.close()) > 0) {
            throw new InvalidRecordException("low must be <= open and close");
        }
        return b;
    }

    public Dividend check(Dividend d) throws InvalidRecordException {
        checkSymbol(d.symbol(), "symbol");
        LocalDate latest = today().plusDays(rules.maxDividendLead().toDays());
        for (LocalDate date : new LocalDate[] {d.exDate(), d.payDate(), d.recordDate(), d.declaredDate()}) {
            if (date != null && (date.isBefore(earliestDate) || date.isAfter(latest))) {
                throw new InvalidRecordException("dividend dates must be between " + earliestDate + " and " + latest);
            }
        }
        positive(d.amount(), "amount");
        if (!CURRENCY.matcher(d.currency()).matches()) {
            throw new InvalidRecordException("currency must be a 3-letter ISO code");
        }
        if (!DIVIDEND_TYPES.contains(d.type())) {
            throw new InvalidRecordException("type must be regular or special");
        }
        if (d.payDate() != null && d.payDate().isBefore(d.exDate())) {
            throw new InvalidRecordException("payDate must not be before exDate");
        }
        if (d.declaredDate() != null && d.declaredDate().isAfter(d.exDate())) {
            throw new InvalidRecordException("declaredDate must not be after exDate");
        }
        checkSource(d.source());
        return d;
    }

    public Split check(Split s) throws InvalidRecordException {
        checkSymbol(s.symbol(), "symbol");
        notFuture(s.date(), "date");
        positive(s.ratio(), "ratio");
        return s;
    }

    public Security check(Security s) throws InvalidRecordException {
        checkSymbol(s.symbol(), "symbol");
        if (s.name() == null) {
            throw new InvalidRecordException("name is required");
        }
        if (s.assetType() == null) {
            throw new InvalidRecordException("assetType is required");
        }
        if (!CURRENCY.matcher(s.currency()).matches()) {
            throw new InvalidRecordException("currency must be a 3-letter ISO code");
        }
        if (s.marketCap() != null && s.marketCap().signum() < 0) {
            throw new InvalidRecordException("marketCap must be >= 0");
        }
        return s;
    }

    public EtfHolding check(EtfHolding h) throws InvalidRecordException {
        checkSymbol(h.etfSymbol(), "etfSymbol");
        checkSymbol(h.holdingSymbol(), "holdingSymbol");
        notFuture(h.asOf(), "asOf");
        fraction(h.weight(), "weight");
        if (h.shares() != null && h.shares().signum() < 0) {
            throw new InvalidRecordException("shares must be >= 0");
        }
        if (h.marketValue() != null && h.marketValue().signum() < 0) {
            throw new InvalidRecordException("marketValue must be >= 0");
        }
        return h;
    }

    public ShortPosition check(ShortPosition p) throws InvalidRecordException {
        checkSymbol(p.symbol(), "symbol");
        notFuture(p.date(), "date");
        fraction(p.shortPosition(), "shortPosition");
        return p;
    }

    // --- field helpers ---------------------------------------------------------------------------

    private LocalDate today() {
        return LocalDate.now(clock.withZone(exchangeZone));
    }

    private static String symbol(InputRecord r, String field) throws InvalidRecordException {
        String symbol = r.text(field);
        if (symbol == null) {
            throw new InvalidRecordException(field + " is required");
        }
        return symbol.toUpperCase(Locale.ROOT);
    }

    private static void checkSymbol(String symbol, String field) throws InvalidRecordException {
        if (symbol == null || !SYMBOL.matcher(symbol).matches()) {
            throw new InvalidRecordException(field + " must be 1-15 letters, digits, '.' or '-'");
        }
    }

    private String source(InputRecord r, boolean required) throws InvalidRecordException {
        String source = r.text("source");
        if (source == null) {
            if (required) {
                throw new InvalidRecordException("source is required");
            }
            return rules.defaultSource();
        }
        source = source.toLowerCase(Locale.ROOT);
        checkSource(source);
        return source;
    }

    private static void checkSource(String source) throws InvalidRecordException {
        if (!SOURCE.matcher(source).matches()) {
            throw new InvalidRecordException("source must be 1-40 letters, digits, '_', '.', ':' or '-'");
        }
    }

    private static BigDecimal required(InputRecord r, String field) throws InvalidRecordException {
        BigDecimal value = r.number(field);
        if (value == null) {
            throw new InvalidRecordException(field + " is required");
        }
        return value;
    }

    private static Long wholeNumber(InputRecord r, String field) throws InvalidRecordException {
        BigDecimal value = r.number(field);
        if (value == null) {
            return null;
        }
        if (value.signum() != 0 && value.stripTrailingZeros().scale() > 0) {
            throw new InvalidRecordException(field + " must be a whole number");
        }
        if (value.abs().compareTo(LONG_MAX) > 0) {
            throw new InvalidRecordException(field + " is too large");
        }
        return value.longValue();
    }

    private static void positive(BigDecimal value, String field) throws InvalidRecordException {
        if (value == null || value.signum() <= 0) {
            throw new InvalidRecordException(field + " must be a finite number > 0");
        }
    }

    private static void fraction(BigDecimal value, String field) throws InvalidRecordException {
        if (value.signum() < 0 || value.compareTo(BigDecimal.ONE) > 0) {
            throw new InvalidRecordException(field + " must be between 0 and 1");
        }
    }

    private LocalDate date(InputRecord r, String field, boolean required) throws InvalidRecordException {
        String text = r.text(field);
        if (text == null) {
            if (required) {
                throw new InvalidRecordException(field + " is required");
            }
            return null;
        }
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidRecordException(field + " must be an ISO-8601 date (2026-11-20)");
        }
    }

    private void notFuture(LocalDate date, String field) throws InvalidRecordException {
        if (date.isBefore(earliestDate)) {
            throw new InvalidRecordException(field + " is before " + earliestDate);
        }
        if (date.isAfter(today())) {
            throw new InvalidRecordException(field + " is in the future");
        }
    }

    /**
     * The common UTC form {@code 2026-11-20T15:30:00[.fraction]Z} read without the general parser (a tick
     * batch has thousands); null for anything else, which then goes through {@link OffsetDateTime#parse}.
     */
    static Instant parseUtc(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        int nanos = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n - 21 > 9 || n == 21) {
                return null;
            }
            int fraction = digits(s, 20, n - 1);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction * POWERS_OF_TEN[9 - (n - 21)];
        } else if (n != 20) {
            return null;
        }
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
            100_000_000, 1_000_000_000};

    /** The decimal number in s[from, to), or -1 if a character is not a digit. */
    private static int digits(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static Instant instant(InputRecord r, String field) throws InvalidRecordException {
        String text = r.text(field);
        if (text == null) {
            throw new InvalidRecordException(field + " is required");
        }
        Instant utc = parseUtc(text);
        if (utc != null) {
            return utc;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidRecordException(field + " must be an ISO-8601 instant with offset (2026-11-20T15:30:00Z)");
        }
    }
}
