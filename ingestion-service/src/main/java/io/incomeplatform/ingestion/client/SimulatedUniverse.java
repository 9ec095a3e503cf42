package io.incomeplatform.ingestion.client;

import io.incomeplatform.ingestion.model.Security;
import io.incomeplatform.ingestion.parse.CsvLines;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bundled sample universe (resources/simulated/universe.csv): real US tickers with name, exchange,
 * asset type, sector, industry, a reference price, dividend frequency per year and yield, and a tier.
 * RFC 4180 CSV (industries such as "Furnishings, Fixtures & Appliances" are quoted).
 */
@ApplicationScoped
public class SimulatedUniverse {

    static final String RESOURCE = "simulated/universe.csv";

    /** One listed security and the parameters of its simulation. */
    public record Member(Security security, BigDecimal basePrice, int dividendFrequency, double dividendYield) {
        public String symbol() {
            return security.symbol();
        }
    }

    private final Map<String, Member> members;

    public SimulatedUniverse() {
        this.members = Collections.unmodifiableMap(load());
    }

    public List<Member> members() {
        return new ArrayList<>(members.values());
    }

    public Optional<Member> member(String symbol) {
        return Optional.ofNullable(members.get(symbol));
    }

    private static Map<String, Member> load() {
        InputStream in = SimulatedUniverse.class.getClassLoader().getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IllegalStateException(RESOURCE + " is missing from the classpath");
        }
        Map<String, Member> loaded = new LinkedHashMap<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            reader.readLine(); // header
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = CsvLines.cells(line, 0);
                Security security = new Security(f[0], f[1], f[2], f[3], f[4], f[5], "USD", null,
                        Integer.parseInt(f[9]), SimulatedProvider.NAME);
                loaded.put(f[0], new Member(security, new BigDecimal(f[6]), Integer.parseInt(f[7]),
                        Double.parseDouble(f[8])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return loaded;
    }
}
