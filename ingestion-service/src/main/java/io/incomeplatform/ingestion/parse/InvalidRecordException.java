package io.incomeplatform.ingestion.parse;

/** One record breaks a rule; the record is rejected with this message as its reason, the batch goes on. */
public class InvalidRecordException extends Exception {

    public InvalidRecordException(String reason) {
        super(reason, null, false, false);
    }
}
