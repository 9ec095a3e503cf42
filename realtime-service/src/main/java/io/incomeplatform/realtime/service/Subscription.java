package io.incomeplatform.realtime.service;

/**
 * One connection's subscription to one symbol. The symbol index holds these (not the sessions),
 * so a tick reaches the slot for its connection's next message without any further lookup.
 * Every field but the two final ones is guarded by the session's lock.
 */
final class Subscription {

    final ClientSession session;
    final String symbol;
    boolean held;
    boolean watched;
    /** False once unsubscribed: a tick that raced with the unsubscribe is dropped. */
    boolean active = true;
    /** The update for the next message, if any. */
    PriceUpdate pending;
    /** Whether {@link #pending} came from the tick feed (false: the latest known price from Redis). */
    boolean pendingIsLive;
    /** Whether it is in the session's queue for the next message. */
    boolean queued;
    /** The next one in that queue (an intrusive list: queueing allocates nothing). */
    Subscription nextQueued;

    Subscription(ClientSession session, String symbol) {
        this.session = session;
        this.symbol = symbol;
    }
}
