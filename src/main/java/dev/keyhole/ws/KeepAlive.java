package dev.keyhole.ws;

/**
 * When to ping a connection and when to give up on it. A connection whose client sent nothing — no message, no
 * pong — for the ping interval is pinged (once per interval), which keeps traffic from the client flowing below
 * every listener's and proxy's read timeout. A connection is idle, and closed, when for the idle timeout neither
 * did the client send anything nor did the server deliver it a message: a live client answers every ping; a dead
 * one stops answering, and if it is in a busy conversation its unread messages pile up until it is closed as a
 * slow consumer instead. (A client far behind a busy room answers pings late; the messages still reaching it show
 * it is not idle.)
 */
final class KeepAlive {

    enum Action {
        NONE, PING, CLOSE
    }

    private final long idleTimeoutNanos;
    private final long pingIntervalNanos;

    KeepAlive(long idleTimeoutNanos, long pingIntervalNanos) {
        if (pingIntervalNanos >= idleTimeoutNanos) {
            throw new IllegalArgumentException("the ping interval must be shorter than the idle timeout");
        }
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.pingIntervalNanos = pingIntervalNanos;
    }

    /**
     * @param lastIncoming when the client last sent a frame
     * @param lastDelivery when a message to the client was last taken by the container
     * @param lastPing when the client was last pinged
     */
    Action next(long now, long lastIncoming, long lastDelivery, long lastPing) {
        if (now - Math.max(lastIncoming, lastDelivery) >= idleTimeoutNanos) {
            return Action.CLOSE;
        }
        if (now - lastIncoming >= pingIntervalNanos && now - lastPing >= pingIntervalNanos) {
            return Action.PING;
        }
        return Action.NONE;
    }
}
