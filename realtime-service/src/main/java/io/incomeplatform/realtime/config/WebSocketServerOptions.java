package io.incomeplatform.realtime.config;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;

/** Applies the socket settings of {@link RealtimeConfig} to the HTTP server that carries the WebSockets. */
@ApplicationScoped
public class WebSocketServerOptions implements HttpServerOptionsCustomizer {

    private final RealtimeConfig config;

    public WebSocketServerOptions(RealtimeConfig config) {
        this.config = config;
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        config.socketSendBufferBytes().ifPresent(options::setSendBufferSize);
        // A client that never answers our close frame (a stalled one) is cut off after this long.
        options.setWebSocketClosingTimeout((int) Math.max(1, config.closeTimeout().toSeconds()));
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        customizeHttpServer(options);
    }
}
