package dev.keyhole.chat;

import dev.keyhole.limits.TokenBucket;
import dev.keyhole.ws.CloseCause;
import java.time.Clock;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * One connection's side of the chat protocol: rate limit, decoding, dispatch, and error replies. A refused command
 * (over the rate, malformed, too long) gets an error frame and the connection stays. Refusals drain a bucket of
 * their own, {@code strikesBeforeClose} deep and refilled by a tenth of that a second: a client that keeps being
 * refused — even one that mixes refused commands with accepted ones — is closed with 1008.
 */
final class Conversation {

    private final Rooms.Membership membership;
    private final MemberConnection self;
    private final TokenBucket rate;
    private final TokenBucket strikes;
    private final int maxTextChars;
    private final Clock clock;
    private final ChatCommandDecoder decoder = new ChatCommandDecoder();
    private final ChatEventEncoder encoder = new ChatEventEncoder();

    Conversation(Rooms.Membership membership, MemberConnection self, TokenBucket rate, TokenBucket strikes, int maxTextChars,
            Clock clock) {
        this.membership = membership;
        this.self = self;
        this.rate = rate;
        this.strikes = strikes;
        this.maxTextChars = maxTextChars;
        this.clock = clock;
    }

    /** The bucket of refusals a connection may have: {@code strikesBeforeClose} deep, refilled in ten seconds. */
    static TokenBucket strikes(int strikesBeforeClose, LongSupplier nanoTime) {
        return new TokenBucket(Math.max(1, strikesBeforeClose / 10), strikesBeforeClose, nanoTime);
    }

    /**
     * Handles one complete frame from the client.
     *
     * @return how to close the connection, when the client's conduct calls for it
     */
    Optional<CloseCause> onFrame(String frame) {
        if (!rate.tryTake()) {
            return refuse("rate-limited", "too many commands; slow down", CloseCause.RATE_LIMITED);
        }
        ChatCommand command = decoder.decode(frame);
        if (command instanceof ChatCommand.Invalid invalid) {
            return refuse(invalid.code(), invalid.message(), CloseCause.TOO_MANY_ERRORS);
        }
        if (command instanceof ChatCommand.Send send) {
            if (send.text().length() > maxTextChars) {
                return refuse("text-too-long", "text is longer than " + maxTextChars + " characters", CloseCause.TOO_MANY_ERRORS);
            }
            membership.post(send.text(), send.clientId());
        } else if (command instanceof ChatCommand.Resume resume) {
            membership.replay(resume.after(), resume.epoch());
        } else if (command instanceof ChatCommand.Ping ping) {
            reply(new ChatEvent.Pong(ping.id(), clock.instant()));
        }
        return Optional.empty();
    }

    private Optional<CloseCause> refuse(String code, String message, CloseCause ifPersistent) {
        reply(new ChatEvent.Error(code, message));
        return strikes.tryTake() ? Optional.empty() : Optional.of(ifPersistent);
    }

    private void reply(ChatEvent event) {
        self.enqueue(encoder.encode(event));
        self.flush();
    }
}
