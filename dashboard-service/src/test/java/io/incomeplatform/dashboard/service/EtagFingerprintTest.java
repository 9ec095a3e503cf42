package io.incomeplatform.dashboard.service;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class EtagFingerprintTest {

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldBeTheCrc32cThenTheCrc32OfTheBytes() {
        // The check values of both polynomials for "123456789": CRC-32C e3069283, CRC-32 cbf43926.
        assertEquals("e3069283cbf43926", DashboardService.fingerprint(ascii("123456789"), 9));
    }

    @Test
    void shouldCoverOnlyTheBytesBeforeTheLength() {
        // The metadata after the cards (lastUpdated) must not change the ETag.
        assertEquals("e3069283cbf43926", DashboardService.fingerprint(ascii("123456789,\"metadata\":{}"), 9));
    }

    @Test
    void shouldChangeWhenOneDigitChanges() {
        byte[] cards = ascii("{\"portfolioValue\":1000.25}");
        byte[] changed = ascii("{\"portfolioValue\":1000.26}");
        assertNotEquals(DashboardService.fingerprint(cards, cards.length), DashboardService.fingerprint(changed, changed.length));
    }
}
