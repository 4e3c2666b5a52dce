package dev.keyhole.bench.trivial;

import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;

/**
 * The reference point on each server: the least a {@code @ServerEndpoint} echo can be (no filter, no limits, no
 * authentication), deployed by the benchmark as {@code trivial.war} next to Keyhole.
 */
@ServerEndpoint("/echo")
public class TrivialEchoEndpoint {

    @OnMessage
    public String echo(String message) {
        return message;
    }
}
