package io.incomeplatform.mart.service;

/** Another refresh or sync holds the refresh lock (in this replica or another one). */
public class RefreshRunningException extends RuntimeException {
    public RefreshRunningException() {
        super("A refresh or sync is already running.");
    }
}
