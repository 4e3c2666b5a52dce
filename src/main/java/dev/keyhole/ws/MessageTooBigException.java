package dev.keyhole.ws;

/** A message larger than the endpoint accepts; the connection is closed with 1009 {@code message-too-big}. */
public class MessageTooBigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MessageTooBigException(int maxBytes) {
        super("message larger than " + maxBytes + " bytes");
    }
}
