package io.incomeplatform.realtime;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

@QuarkusTest
class PlatformEndpointsTest {

    static final String SECRET = "local-development-secret-at-least-32-bytes!!";

    @Path("/test-only/operator")
    public static class OperatorProbe {
        @GET
        @RolesAllowed("service_role")
        public String hello() {
            return "ok";
        }
    }

    static String token(String role) {
        return Jwt.subject("8a1f7f5e-0a57-4b7e-9d55-3f1f0b8a2c11").claim("role", role)
                .expiresIn(300).signWithSecret(SECRET);
    }

    @Test
    void shouldReportReadyWhenRedisAnswers() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void shouldExposePrometheusMetrics() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void shouldAcceptServiceRoleToken() {
        given().auth().oauth2(token("service_role")).get("/test-only/operator").then().statusCode(200);
    }

    @Test
    void shouldRefuseUserRoleWithForbiddenProblem() {
        given().auth().oauth2(token("authenticated")).get("/test-only/operator").then().statusCode(403)
                .contentType("application/problem+json").body("status", equalTo(403));
    }

    @Test
    void shouldRefuseMissingTokenWithUnauthorizedProblem() {
        given().get("/test-only/operator").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void shouldRefuseTokenSignedWithAnotherSecret() {
        String forged = Jwt.subject("x").claim("role", "service_role").expiresIn(300)
                .signWithSecret("another-secret-that-is-also-32-bytes-long!!");
        given().auth().oauth2(forged).get("/test-only/operator").then().statusCode(401);
    }
}
