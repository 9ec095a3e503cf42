package io.incomeplatform.ingestion.model;

import java.util.List;

/** The answer of every write endpoint (contract.md): stored, already stored, and refused records by index. */
public record WriteResult(int accepted, int duplicates, List<Rejection> rejected) {

    public record Rejection(int index, String reason) {
    }
}
