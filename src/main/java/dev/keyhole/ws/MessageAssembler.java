package dev.keyhole.ws;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Joins the parts (frames) of one connection's text and binary messages, and refuses a message as soon as its
 * size passes the limit, so a connection never holds more than the limit in memory. Containers do not enforce a
 * per-session limit the same way (Tyrus ignores it for binary messages), so Keyhole enforces its own.
 * Not thread-safe: a connection delivers its messages one at a time.
 */
public final class MessageAssembler {

    private final int maxBytes;

    private StringBuilder text;
    private long textBytes;

    private List<ByteBuffer> binaryParts;
    private long binaryBytes;

    public MessageAssembler(int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /**
     * Adds a part of a text message.
     *
     * @return the whole message once its last part has arrived
     * @throws MessageTooBigException when the message, counted in UTF-8 bytes, passes the limit
     */
    public Optional<String> text(String part, boolean last) {
        textBytes += Utf8.length(part);
        if (textBytes > maxBytes) {
            text = null;
            textBytes = 0;
            throw new MessageTooBigException(maxBytes);
        }
        if (last && text == null) {
            textBytes = 0;
            return Optional.of(part);
        }
        if (text == null) {
            text = new StringBuilder(part.length() * 2);
        }
        text.append(part);
        if (!last) {
            return Optional.empty();
        }
        String whole = text.toString();
        text = null;
        textBytes = 0;
        return Optional.of(whole);
    }

    /**
     * Adds a part of a binary message. A message that arrives in one part is returned as given, valid until the
     * container's message handler returns.
     *
     * @return the whole message once its last part has arrived
     * @throws MessageTooBigException when the message passes the limit
     */
    public Optional<ByteBuffer> binary(ByteBuffer part, boolean last) {
        binaryBytes += part.remaining();
        if (binaryBytes > maxBytes) {
            binaryParts = null;
            binaryBytes = 0;
            throw new MessageTooBigException(maxBytes);
        }
        if (last && binaryParts == null) {
            binaryBytes = 0;
            return Optional.of(part);
        }
        if (binaryParts == null) {
            binaryParts = new ArrayList<>();
        }
        ByteBuffer copy = ByteBuffer.allocate(part.remaining());
        copy.put(part).flip();
        binaryParts.add(copy);
        if (!last) {
            return Optional.empty();
        }
        ByteBuffer whole = ByteBuffer.allocate((int) binaryBytes);
        binaryParts.forEach(whole::put);
        whole.flip();
        binaryParts = null;
        binaryBytes = 0;
        return Optional.of(whole);
    }
}
