package dev.keyhole.ws;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCode;
import jakarta.websocket.CloseReason.CloseCodes;

/**
 * Why Keyhole closes a WebSocket: an RFC 6455 close code and a stable reason code that clients, tests and logs
 * match on. The reason code is the whole close reason, so it never carries details of the failure.
 */
public enum CloseCause {

    /** The client sent nothing, not even a pong, for the idle timeout (1000). */
    IDLE_TIMEOUT(CloseCodes.NORMAL_CLOSURE, "idle-timeout"),
    /** The server is shutting down or the application is being undeployed (1001). */
    GOING_AWAY(CloseCodes.GOING_AWAY, "going-away"),
    /** The client certificate of the session was revoked while it was open (1008). */
    REVOKED(CloseCodes.VIOLATED_POLICY, "revoked"),
    /** The client certificate of the session expired while it was open (1008). */
    EXPIRED(CloseCodes.VIOLATED_POLICY, "expired"),
    /** The chat needs a verified identity and the session has none (1008). */
    NO_IDENTITY(CloseCodes.VIOLATED_POLICY, "no-identity"),
    /** The room name in the path is not valid (1008). */
    INVALID_ROOM(CloseCodes.VIOLATED_POLICY, "invalid-room"),
    /** The client kept sending faster than its rate limit after being told so (1008). */
    RATE_LIMITED(CloseCodes.VIOLATED_POLICY, "rate-limited"),
    /** The client kept sending commands that are refused (1008). */
    TOO_MANY_ERRORS(CloseCodes.VIOLATED_POLICY, "too-many-errors"),
    /** The connection was not counted against the connection limits (its lease is unknown or expired) (1013). */
    NOT_COUNTED(CloseCodes.TRY_AGAIN_LATER, "try-again-later"),
    /** No more rooms may be created right now (1013, try again later). */
    TOO_MANY_ROOMS(CloseCodes.TRY_AGAIN_LATER, "too-many-rooms"),
    /** This identity created as many rooms as it may; it can join existing ones (1013, try again later). */
    ROOM_QUOTA(CloseCodes.TRY_AGAIN_LATER, "room-quota"),
    /** A service the endpoint needs (the cluster's Redis) cannot be reached now (1013, try again later). */
    UNAVAILABLE(CloseCodes.TRY_AGAIN_LATER, "unavailable"),
    /** The endpoint's own check of the location rules refused the session (1008). */
    NOT_ALLOWED(CloseCodes.VIOLATED_POLICY, "not-allowed"),
    /** A frame type the endpoint does not accept, e.g. binary to a text-only endpoint (1003). */
    UNSUPPORTED_DATA(CloseCodes.CANNOT_ACCEPT, "unsupported-data"),
    /** A message whose payload is not valid, e.g. text that is not UTF-8 (1007). */
    INVALID_DATA(CloseCodes.NOT_CONSISTENT, "invalid-data"),
    /** The client reads too slowly: its send queue is full, or a send timed out (1008). */
    SLOW_CONSUMER(CloseCodes.VIOLATED_POLICY, "slow-consumer"),
    /** A message larger than the endpoint's limit (1009). */
    MESSAGE_TOO_BIG(CloseCodes.TOO_BIG, "message-too-big"),
    /** A failure on the server's side that is not the client's doing (1011). */
    INTERNAL_ERROR(CloseCodes.UNEXPECTED_CONDITION, "internal-error"),
    /** An operator disconnected the session and the client may connect again at once (4000). */
    ADMIN_RECONNECT(CloseReason.CloseCodes.getCloseCode(4000), "admin-reconnect"),
    /** An operator disconnected the session and the client should not connect again by itself (4001). */
    ADMIN_DISCONNECT(CloseReason.CloseCodes.getCloseCode(4001), "admin-disconnect");

    private final CloseCode code;
    private final String reasonCode;

    CloseCause(CloseCode code, String reasonCode) {
        this.code = code;
        this.reasonCode = reasonCode;
    }

    public CloseCode code() {
        return code;
    }

    public String reasonCode() {
        return reasonCode;
    }

    public CloseReason toCloseReason() {
        return new CloseReason(code, reasonCode);
    }
}
