package io.incomeplatform.ingestion.parse;

/** The body as a whole cannot be read (bad JSON, broken CSV): the request is a 400 and nothing is stored. */
public class UnparseableBodyException extends RuntimeException {

    public UnparseableBodyException(String detail) {
        super(detail, null, false, false);
    }
}
