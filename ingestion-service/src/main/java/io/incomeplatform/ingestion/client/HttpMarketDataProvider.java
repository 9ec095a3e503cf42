package io.incomeplatform.ingestion.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.incomeplatform.ingestion.config.IngestionConfig;

/**
 * What the public-API adapters share: their configuration block (base URL, key, quota), the guarded
 * HTTP client and the JSON mapper; enabled only once a base URL is configured; one symbol per request.
 * The adapters are {@code @Singleton}: stateless, never intercepted, so they need no client proxy (and
 * so no no-args constructor for these final fields).
 */
abstract class HttpMarketDataProvider implements MarketDataProvider {

    protected final IngestionConfig.Http config;
    protected final ProviderHttp http;
    protected final ObjectMapper mapper;

    protected HttpMarketDataProvider(IngestionConfig.Http config, ProviderHttp http, ObjectMapper mapper) {
        this.config = config;
        this.http = http;
        this.mapper = mapper;
    }

    @Override
    public boolean enabled() {
        return config.enabled() && config.baseUrl().isPresent();
    }

    @Override
    public int maxSymbolsPerRequest() {
        return 1;
    }

    @Override
    public int requestsPerMinute() {
        return config.requestsPerMinute();
    }
}
