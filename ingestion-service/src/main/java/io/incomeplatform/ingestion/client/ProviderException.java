package io.incomeplatform.ingestion.client;

/**
 * A provider call that did not yield data. The kind decides what happens next (ProviderRouter):
 * UNAVAILABLE (network, timeout, 5xx) is retried and counts against the circuit breaker; MALFORMED (a
 * body we cannot read) counts against the breaker but is not retried; THROTTLED (429, Alpha Vantage's
 * Note/Information) and REJECTED (unknown symbol, bad key, unsupported) go straight to the next provider.
 */
public class ProviderException extends RuntimeException {

    public enum Kind { UNAVAILABLE, MALFORMED, THROTTLED, REJECTED }

    private final String provider;
    private final Kind kind;

    public ProviderException(String provider, Kind kind, String message) {
        super(provider + ": " + message, null, false, false);
        this.provider = provider;
        this.kind = kind;
    }

    public String provider() {
        return provider;
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return kind == Kind.UNAVAILABLE;
    }

    /** Whether the failure says something about the provider's health (and so feeds its circuit breaker). */
    public boolean healthFailure() {
        return kind == Kind.UNAVAILABLE || kind == Kind.MALFORMED;
    }
}
