package io.incomeplatform.realtime.websocket;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Authenticates the WebSocket upgrade. Browsers cannot set an Authorization header on a WebSocket,
 * so the token comes as {@code ?token=} or as the subprotocol {@code bearer.<JWT>}; the chosen
 * subprotocol is echoed, as RFC 6455 requires for the browser to accept the handshake. The token is
 * verified like every other service's (HS256, {@code exp}, {@code sub}); the user id and expiry go
 * into the connection's user data. Without a valid token the upgrade ends with 401.
 */
@ApplicationScoped
public class TokenUpgradeCheck implements HttpUpgradeCheck {

    public static final UserData.TypedKey<String> USER_ID = UserData.TypedKey.forString("realtime.user-id");
    public static final UserData.TypedKey<Long> EXPIRES_AT = UserData.TypedKey.forLong("realtime.expires-at");
    /** The TCP connection under the WebSocket, to cut off a client that never completes a close. */
    public static final UserData.TypedKey<HttpConnection> TCP_CONNECTION = new UserData.TypedKey<>("realtime.tcp-connection");

    static final String SUBPROTOCOL_HEADER = "Sec-WebSocket-Protocol";
    static final String SUBPROTOCOL_PREFIX = "bearer.";
    private static final Set<String> ALLOWED_ROLES = Set.of("authenticated", "service_role");
    private static final Map<String, List<String>> CHALLENGE = Map.of("WWW-Authenticate", List.of("Bearer"));

    private final JWTParser parser;

    public TokenUpgradeCheck(JWTParser parser) {
        this.parser = parser;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpServerRequest request = context.httpRequest();
        String subprotocol = bearerSubprotocol(request.headers().getAll(SUBPROTOCOL_HEADER));
        String token = subprotocol != null ? subprotocol.substring(SUBPROTOCOL_PREFIX.length()) : request.getParam("token");
        if (token == null || token.isBlank()) {
            return CheckResult.rejectUpgrade(401, CHALLENGE);
        }
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token);
        } catch (ParseException e) {
            return CheckResult.rejectUpgrade(401, CHALLENGE);
        }
        String role = jwt.getClaim("role");
        if (jwt.getSubject() == null || role == null || !ALLOWED_ROLES.contains(role)) {
            return CheckResult.rejectUpgrade(403);
        }
        context.userData().put(USER_ID, jwt.getSubject());
        context.userData().put(EXPIRES_AT, jwt.getExpirationTime());
        context.userData().put(TCP_CONNECTION, request.connection());
        return subprotocol == null
                ? CheckResult.permitUpgrade()
                : CheckResult.permitUpgrade(Map.of(SUBPROTOCOL_HEADER, List.of(subprotocol)));
    }

    /** The {@code bearer.<JWT>} entry among the offered subprotocols (one header or a comma list). */
    static String bearerSubprotocol(List<String> headerValues) {
        for (String value : headerValues) {
            for (String offered : value.split(",")) {
                String candidate = offered.trim();
                if (candidate.startsWith(SUBPROTOCOL_PREFIX) && candidate.length() > SUBPROTOCOL_PREFIX.length()) {
                    return candidate;
                }
            }
        }
        return null;
    }
}
