package io.incomeplatform.realtime.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * Settings of the price fan-out, each overridable from the environment
 * ({@code REALTIME_BATCH_WINDOW=250ms}, ...).
 */
@ConfigMapping(prefix = "realtime")
public interface RealtimeConfig {

    /** How often each connection receives at most one {@code prices} message; 250ms suits a trading screen. */
    @WithDefault("1000ms")
    Duration batchWindow();

    /**
     * The connections are split into this many groups, flushed at evenly spaced moments of each
     * window, so a replica's sends are spread over the window instead of all leaving at once.
     */
    @WithDefault("10")
    int batchPhases();

    /** Symbols a connection may watch through {@code subscribe} (its holdings come on top). */
    @WithDefault("200")
    int maxSubscriptionsPerConnection();

    /**
     * Messages (prices and control) written to a connection but not yet taken by its socket. Beyond
     * this the connection gets no new prices message, its updates keep coalescing per symbol, so its
     * memory stays bounded.
     */
    @WithDefault("4")
    int maxUnsentMessagesPerConnection();

    /** A client whose socket takes nothing for this long is disconnected with close code 4000. */
    @WithDefault("10s")
    Duration slowClientTimeout();

    /**
     * Kernel send buffer per connection (SO_SNDBUF); unset leaves the OS default with autotuning.
     * A small value bounds the memory a slow client can pin and makes it noticed sooner.
     */
    OptionalInt socketSendBufferBytes();

    /** How long a close handshake may take before the TCP connection is dropped (also at shutdown). */
    @WithDefault("5s")
    Duration closeTimeout();
}
