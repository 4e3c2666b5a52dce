package dev.keyhole.ws;

import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;

/**
 * The largest message each endpoint accepts, and the container-wide cap derived from them: the container's default
 * message buffer sizes and the frame guard of a connection whose endpoint is not known yet. Not a second source of
 * truth — the endpoints' limits are settings (and one constant, here).
 */
public final class MessageLimits {

    /** The largest message /whoami accepts: it only ever needs a short text to answer. */
    public static final int WHOAMI_BYTES = 1024;

    /**
     * What Tyrus's frame buffer ({@code org.glassfish.tyrus.servlet.incoming-buffer-size} in web.xml) must hold: a
     * message of the container cap in one frame, with the largest frame header.
     */
    public static final int FRAME_OVERHEAD = 14;

    /**
     * How far above an endpoint's limit the container's own per-session buffer limit lies. The endpoints take every
     * message in parts and close at their limit with {@code message-too-big}; Undertow reads ahead of a busy
     * endpoint (parts queue for its thread), and its own limit, a backstop, would otherwise close first with a reason
     * of its own (seen with 64 KiB on a loaded machine). 1 MiB bounds that read-ahead and lets the endpoint's stable
     * reason come first.
     */
    public static final int CONTAINER_SLACK_BYTES = 1024 * 1024;

    private MessageLimits() {
    }

    /** The largest message any endpoint accepts. */
    public static int containerCap(Settings settings) {
        return Math.max(WHOAMI_BYTES, Math.max(settings.get(Setting.ECHO_MAX_MESSAGE_BYTES),
                settings.get(Setting.CHAT_MAX_MESSAGE_BYTES)));
    }
}
