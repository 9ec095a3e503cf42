package io.incomeplatform.ingestion.client;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One local HTTP server speaking Polygon's, Alpha Vantage's and Yahoo's formats. The symbol decides the
 * answer: good data for the real-looking symbols, and EMPTY, THROTTLED, INFO, NOSUCH, BROKEN, DOWN (500),
 * SLOW (Yahoo answers after 3 s) for the failure shapes. FALLBACK fails on Polygon (500) and is served by Alpha Vantage.
 */
public class FakeProviders implements QuarkusTestResourceLifecycleManager {

    public static final Map<String, AtomicInteger> REQUESTS = new ConcurrentHashMap<>();
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static final java.util.concurrent.atomic.AtomicReference<Vertx> VERTX = new java.util.concurrent.atomic.AtomicReference<>();
    private Vertx vertx;
    private HttpServer server;

    public static int requests(String provider, String symbol) {
        return REQUESTS.computeIfAbsent(provider + "/" + symbol, k -> new AtomicInteger()).get();
    }

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        VERTX.set(vertx);
        try {
            server = vertx.createHttpServer().requestHandler(FakeProviders::handle).listen(0)
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("fake provider server did not start", e);
        }
        String base = "http://127.0.0.1:" + server.actualPort();
        String csvDirectory = writeCsvHistory();
        return Map.ofEntries(
                Map.entry("ingestion.providers.csv.enabled", "true"),
                Map.entry("ingestion.providers.csv.path", csvDirectory),
                Map.entry("ingestion.providers.csv.requests-per-minute", "3"),
                Map.entry("ingestion.providers.polygon.enabled", "true"),
                Map.entry("ingestion.providers.polygon.base-url", base),
                Map.entry("ingestion.providers.polygon.api-key", "test-key"),
                Map.entry("ingestion.providers.polygon.requests-per-minute", "1000"),
                Map.entry("ingestion.providers.alpha-vantage.enabled", "true"),
                Map.entry("ingestion.providers.alpha-vantage.base-url", base),
                Map.entry("ingestion.providers.alpha-vantage.api-key", "test-key"),
                Map.entry("ingestion.providers.alpha-vantage.requests-per-minute", "1000"),
                Map.entry("ingestion.providers.yahoo.enabled", "true"),
                Map.entry("ingestion.providers.yahoo.base-url", base),
                Map.entry("ingestion.providers.yahoo.requests-per-minute", "1000"),
                Map.entry("ingestion.providers.yahoo.timeout", "PT0.5S"));
    }

    /** History for the CSV replay provider: two bars and a dividend of CSVREPLAY. */
    private static String writeCsvHistory() {
        try {
            java.nio.file.Path directory = java.nio.file.Files.createTempDirectory("csv-provider");
            java.nio.file.Files.writeString(directory.resolve("bars.csv"), """
                    symbol,date,open,high,low,close,adjClose,volume
                    CSVREPLAY,2026-11-18,10.00,10.50,9.90,10.20,10.10,12000
                    CSVREPLAY,2026-11-19,10.20,10.40,10.00,10.30,,15000
                    OTHER,2026-11-19,5,5,5,5,,1
                    """);
            java.nio.file.Files.writeString(directory.resolve("dividends.csv"), """
                    symbol,exDate,payDate,amount,type
                    CSVREPLAY,2026-11-17,2026-11-28,0.125,regular
                    """);
            directory.toFile().deleteOnExit();
            return directory.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close();
        }
    }

    private static void handle(HttpServerRequest request) {
        String path = request.path();
        if (path.startsWith("/v2/aggs/ticker/")) {
            polygon(request, path.split("/"));
        } else if (path.equals("/query")) {
            alphaVantage(request);
        } else if (path.startsWith("/v8/finance/chart/")) {
            yahoo(request, path.substring("/v8/finance/chart/".length()));
        } else {
            request.response().setStatusCode(404).end();
        }
    }

    private static void json(HttpServerRequest request, int status, String body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }

    static long nyMidnightMillis(String date) {
        return LocalDate.parse(date).atStartOfDay(NEW_YORK).toInstant().toEpochMilli();
    }

    static long nyOpenSeconds(String date) {
        return LocalDate.parse(date).atTime(LocalTime.of(9, 30)).atZone(NEW_YORK).toEpochSecond();
    }

    // /v2/aggs/ticker/{T}/range/1/day/{from}/{to}
    private static void polygon(HttpServerRequest request, String[] parts) {
        String symbol = parts[4];
        REQUESTS.computeIfAbsent("polygon/" + symbol, k -> new AtomicInteger()).incrementAndGet();
        if (!"test-key".equals(request.getParam("apiKey"))) {
            json(request, 401, "{\"status\":\"ERROR\",\"request_id\":\"a1\",\"error\":\"Unknown API Key\"}");
            return;
        }
        switch (symbol) {
            case "EMPTY" -> json(request, 200, """
                    {"ticker":"EMPTY","queryCount":0,"resultsCount":0,"adjusted":false,"status":"OK","request_id":"a2","count":0}""");
            case "THROTTLED" -> json(request, 429, """
                    {"status":"ERROR","request_id":"a3","error":"You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue. https://polygon.io/pricing"}""");
            case "NOSUCH" -> json(request, 404, "{\"status\":\"NOT_FOUND\",\"request_id\":\"a4\",\"message\":\"Ticker not found.\"}");
            case "BROKEN" -> request.response().setStatusCode(200).putHeader("Content-Type", "text/html")
                    .end("<html><body>Bad gateway</body></html>");
            case "DOWN", "FALLBACK" -> json(request, 500, "{\"status\":\"ERROR\",\"request_id\":\"a5\",\"error\":\"Internal error\"}");
            default -> json(request, 200, """
                    {"ticker":"%1$s","queryCount":2,"resultsCount":2,"adjusted":false,
                     "results":[{"v":5.3e7,"vw":229.1,"o":228.06,"c":229.87,"h":230.16,"l":226.66,"t":%2$d,"n":612345},
                                {"v":4.1e7,"vw":230.4,"o":229.9,"c":228.22,"h":231.0,"l":227.5,"t":%3$d,"n":554321}],
                     "status":"OK","request_id":"a6","count":2}"""
                    .formatted(symbol, nyMidnightMillis("2026-11-19"), nyMidnightMillis("2026-11-20")));
        }
    }

    private static void alphaVantage(HttpServerRequest request) {
        String symbol = request.getParam("symbol");
        REQUESTS.computeIfAbsent("alphavantage/" + symbol, k -> new AtomicInteger()).incrementAndGet();
        if (!"TIME_SERIES_DAILY".equals(request.getParam("function")) || !"test-key".equals(request.getParam("apikey"))) {
            json(request, 200, "{\"Error Message\": \"the parameter apikey is invalid or missing.\"}");
            return;
        }
        switch (symbol) {
            case "THROTTLED" -> json(request, 200, """
                    {"Note": "Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day. Please visit https://www.alphavantage.co/premium/ if you would like to target a higher API call frequency."}""");
            case "INFO" -> json(request, 200, """
                    {"Information": "We have detected your API key as TEST and our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits."}""");
            case "NOSUCH" -> json(request, 200, """
                    {"Error Message": "Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for TIME_SERIES_DAILY."}""");
            case "BROKEN" -> json(request, 200, "{\"Meta Data\": {\"1. Information\": \"Daily Prices");
            case "EMPTY" -> json(request, 200, """
                    {"Meta Data": {"1. Information": "Daily Prices (open, high, low, close) and Volumes", "2. Symbol": "EMPTY",
                     "3. Last Refreshed": "2026-11-20", "4. Output Size": "Compact", "5. Time Zone": "US/Eastern"},
                     "Time Series (Daily)": {}}""");
            default -> json(request, 200, """
                    {"Meta Data": {"1. Information": "Daily Prices (open, high, low, close) and Volumes", "2. Symbol": "%s",
                     "3. Last Refreshed": "2026-11-20", "4. Output Size": "Compact", "5. Time Zone": "US/Eastern"},
                     "Time Series (Daily)": {
                       "2026-11-20": {"1. open": "221.5000", "2. high": "223.1000", "3. low": "220.0100", "4. close": "222.7500", "5. volume": "3456789"},
                       "2026-11-19": {"1. open": "219.0000", "2. high": "221.9000", "3. low": "218.5000", "4. close": "221.3000", "5. volume": "2987654"},
                       "2026-11-12": {"1. open": "210.0000", "2. high": "212.0000", "3. low": "209.0000", "4. close": "211.0000", "5. volume": "1000000"}
                     }}""".formatted(symbol));
        }
    }

    private static void yahoo(HttpServerRequest request, String symbol) {
        REQUESTS.computeIfAbsent("yahoo/" + symbol, k -> new AtomicInteger()).incrementAndGet();
        switch (symbol) {
            case "THROTTLED" -> request.response().setStatusCode(429).putHeader("Content-Type", "text/plain")
                    .end("Too Many Requests\r\n");
            case "SLOW" -> VERTX.get().setTimer(3_000, id -> json(request, 200,
                    "{\"chart\":{\"result\":[],\"error\":null}}"));
            case "NOSUCH" -> json(request, 404, """
                    {"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}""");
            case "BROKEN" -> json(request, 200, "{\"chart\":{\"result\":\"oops\",\"error\":null}}");
            case "EMPTY" -> json(request, 200, """
                    {"chart":{"result":[{"meta":{"currency":"USD","symbol":"EMPTY","exchangeName":"NYQ","instrumentType":"EQUITY",
                      "exchangeTimezoneName":"America/New_York","gmtoffset":-18000,"dataGranularity":"1d","range":""},
                      "indicators":{"quote":[{}],"adjclose":[{}]}}],"error":null}}""");
            default -> json(request, 200, """
                    {"chart":{"result":[{"meta":{"currency":"USD","symbol":"%1$s","exchangeName":"NYQ","instrumentType":"EQUITY",
                      "regularMarketPrice":70.12,"regularMarketTime":%2$d,"regularMarketVolume":8123456,"chartPreviousClose":69.5,
                      "exchangeTimezoneName":"America/New_York","gmtoffset":-18000,"dataGranularity":"1d"},
                      "timestamp":[%3$d,%4$d,%5$d],
                      "events":{"dividends":{"%4$d":{"amount":0.51,"date":%4$d}},
                                "splits":{"%5$d":{"date":%5$d,"numerator":2,"denominator":1,"splitRatio":"2:1"}}},
                      "indicators":{"quote":[{"open":[69.0,null,70.0],"high":[70.5,null,70.9],"low":[68.800003,null,69.5],
                                              "close":[70.230003814697266,null,70.12],"volume":[9000000,null,8123456]}],
                                    "adjclose":[{"adjclose":[69.72,null,70.12]}]}}],"error":null}}"""
                    .formatted(symbol, nyOpenSeconds("2026-11-20") + 6 * 3600, nyOpenSeconds("2026-11-18"),
                            nyOpenSeconds("2026-11-19"), nyOpenSeconds("2026-11-20")));
        }
    }
}
