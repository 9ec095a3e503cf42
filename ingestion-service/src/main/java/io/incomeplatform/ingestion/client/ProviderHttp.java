package io.incomeplatform.ingestion.client;

import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/** The non-blocking HTTP client the adapters share: GET a URL, get status, content type and body. */
@ApplicationScoped
public class ProviderHttp {

    /** A response as the adapters need it. */
    public record Response(int status, String contentType, String body) {
        public boolean isJson() {
            return contentType != null && contentType.toLowerCase().contains("json");
        }
    }

    private final HttpClient client;

    public ProviderHttp(Vertx vertx) {
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout(5_000)
                .setIdleTimeout(30)
                .setMaxPoolSize(8)
                .setTryUseCompression(true));
    }

    /** GET; network failures become UNAVAILABLE for the given provider. Status codes are the caller's business. */
    public Uni<Response> get(String provider, String url, long timeoutMillis) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
                .setTimeout(timeoutMillis).putHeader("Accept", "application/json");
        return client.request(options)
                .chain(request -> request.send())
                .chain(response -> response.body().map(body -> new Response(response.statusCode(),
                        response.getHeader("Content-Type"), body.toString(StandardCharsets.UTF_8))))
                .onFailure(failure -> !(failure instanceof ProviderException))
                .transform(failure -> new ProviderException(provider, ProviderException.Kind.UNAVAILABLE,
                        "request failed: " + failure.getClass().getSimpleName() + " " + failure.getMessage()));
    }

    public static String query(Map<String, String> parameters) {
        StringJoiner joiner = new StringJoiner("&", "?", "");
        parameters.forEach((name, value) -> joiner.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return joiner.toString();
    }

    public static String path(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @PreDestroy
    void close() {
        client.closeAndForget();
    }
}
