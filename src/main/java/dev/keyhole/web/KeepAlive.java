package dev.keyhole.web;

/**
 * When to ping a connection and when to give up on it. A connection that sent nothing — no message, no pong —
 * for the ping interval is pinged (once per interval); one that sent nothing for the idle timeout is closed. A
 * live client answers every ping, so pings keep it open, and keep traffic flowing below every listener's and
 * proxy's read timeout; a dead or stalled one stops answering and is closed.
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

    Action next(long now, long lastIncoming, long lastPing) {
        if (now - lastIncoming >= idleTimeoutNanos) {
            return Action.CLOSE;
        }
        if (now - lastIncoming >= pingIntervalNanos && now - lastPing >= pingIntervalNanos) {
            return Action.PING;
        }
        return Action.NONE;
    }
}
