package dev.keyhole.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.FakeSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OutboxTest {

    private static final CloseReason SLOW = new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "slow-consumer");

    @Test
    void messages_are_sent_in_order_one_at_a_time() {
        FakeSession client = new FakeSession(null).completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(10, 1000));

        outbox.send("one");
        outbox.send("two");
        outbox.send("three");
        assertEquals(List.of("one"), client.sent(), "one in flight, the rest wait");

        client.completeNext(new SendResult());
        client.completeNext(new SendResult());
        assertEquals(List.of("one", "two", "three"), client.sent());
        assertEquals(1, outbox.pending());
        assertEquals(2, outbox.delivered(), "taken by the container");
    }

    @Test
    void a_delivered_message_is_counted_and_a_posted_one_measured_from_its_post() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        FakeSession client = new FakeSession(null).completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(10, 1000), new SessionMeters(registry).endpoint("chat"), false);

        outbox.enqueue("posted", 6, System.currentTimeMillis() - 40);
        outbox.enqueue("welcome");
        outbox.flush();
        client.completeNext(new SendResult());
        client.completeNext(new SendResult());

        assertEquals(2.0, registry.get("keyhole.messages.delivered").tag("endpoint", "chat").counter().count());
        io.micrometer.core.instrument.Timer latency = registry.get("keyhole.delivery.latency").tag("endpoint", "chat").timer();
        assertEquals(1, latency.count(), "only the posted message has a post time");
        assertTrue(latency.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) >= 40);
    }

    @Test
    void a_client_that_does_not_read_overflows_its_queue_and_is_closed_as_a_slow_consumer() {
        FakeSession stalled = new FakeSession(null).completeInline(false);
        Outbox outbox = new Outbox(stalled.session(), new Outbox.Limits(3, 1000));

        assertTrue(outbox.send("1"));
        assertTrue(outbox.send("2"));
        assertTrue(outbox.send("3"));
        assertFalse(outbox.send("4"));

        assertEquals(List.of(SLOW.toString()), stalled.closes().stream().map(CloseReason::toString).toList());
        assertFalse(outbox.send("5"), "closed for good");
    }

    @Test
    void enqueued_messages_wait_for_flush_and_an_overflow_closes_only_on_flush() {
        FakeSession client = new FakeSession(null).completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(2, 1000));

        assertTrue(outbox.enqueue("a"));
        assertTrue(outbox.enqueue("b"));
        assertFalse(outbox.enqueue("c"));
        assertEquals(List.of(), client.sent(), "nothing goes out before flush");
        assertEquals(List.of(), client.closes(), "nor is the session closed under the caller's lock");

        outbox.flush();
        outbox.flush();

        assertEquals(List.of(SLOW.toString()), client.closes().stream().map(CloseReason::toString).toList());
    }

    @Test
    void the_byte_limit_counts_too() {
        FakeSession stalled = new FakeSession(null).completeInline(false);
        Outbox outbox = new Outbox(stalled.session(), new Outbox.Limits(100, 10));

        assertTrue(outbox.send("12345"));
        assertTrue(outbox.send("67890"));
        assertFalse(outbox.send("x"));
        assertEquals(1, stalled.closes().size());
    }

    @Test
    void sends_that_complete_on_the_calling_thread_do_not_nest() {
        FakeSession fast = new FakeSession(null); // completes every send inline
        Outbox outbox = new Outbox(fast.session(), new Outbox.Limits(10, 1_000_000));

        IntStream.range(0, 100_000).forEach(i -> outbox.send("m" + i));

        assertEquals(100_000, fast.sent().size());
        assertEquals("m99999", fast.sent().get(99_999));
    }

    @Test
    void a_failed_send_closes_the_session_and_drops_the_queue() {
        FakeSession client = new FakeSession(null).completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(10, 1000));
        outbox.send("one");
        outbox.send("two");

        client.completeNext(new SendResult(new IOException("send timed out")));

        assertEquals(List.of("one"), client.sent());
        assertEquals(List.of(SLOW.toString()), client.closes().stream().map(CloseReason::toString).toList());
        assertFalse(outbox.send("three"));
    }

    @Test
    void on_a_batching_container_the_messages_waiting_are_handed_over_together_and_leave_in_one_write() {
        FakeSession client = new FakeSession(null).batching().completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(10, 1000));

        outbox.send("one");
        assertEquals(List.of(1), client.writes(), "a lone message leaves at once, alone");
        outbox.send("two");
        outbox.send("three");
        outbox.send("four");
        client.completeNext(new SendResult());

        assertEquals(List.of(1, 3), client.writes(), "the three that waited, together");
        assertEquals(List.of("one", "two", "three", "four"), client.sent(), "each its own message, in order");
        assertEquals(3, outbox.pending());
        client.completeNext(new SendResult());
        client.completeNext(new SendResult());
        outbox.send("five");
        assertEquals(List.of(1, 3), client.writes(), "the next waits for the whole group");
        client.completeNext(new SendResult());
        assertEquals(List.of(1, 3, 1), client.writes());
        assertEquals(4, outbox.delivered());
        assertEquals(List.of(), client.closes());
    }

    @Test
    void a_group_is_at_most_one_batch_of_bytes() {
        FakeSession client = new FakeSession(null).batching().completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(10, 1_000_000));
        String sixThousand = "x".repeat(6_000);

        outbox.send("first");
        IntStream.range(0, 4).forEach(i -> outbox.send(sixThousand));
        client.completeNext(new SendResult());
        client.completeNext(new SendResult());
        client.completeNext(new SendResult());

        assertEquals(List.of(1, 2, 2), client.writes(), "12,000 bytes fit one batch of 16,000, 18,000 do not");
    }

    @Test
    void a_group_is_at_most_32_messages_under_undertows_read_suspension_mark() {
        FakeSession client = new FakeSession(null).batching().completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(100, 1_000_000));

        outbox.send("first");
        IntStream.range(0, 40).forEach(i -> outbox.send("m" + i));
        client.completeNext(new SendResult());
        IntStream.range(0, 32).forEach(i -> client.completeNext(new SendResult()));

        assertEquals(List.of(1, 32, 8), client.writes());
        assertEquals("m39", client.sent().get(40));
    }

    @Test
    void binary_and_text_messages_share_a_group_in_order() {
        FakeSession client = new FakeSession(null).batching().completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(10, 1000));

        outbox.send("first");
        outbox.send("text");
        outbox.send(ByteBuffer.wrap(new byte[] {7}));
        client.completeNext(new SendResult());

        assertEquals(List.of(1, 2), client.writes());
        assertEquals(List.of("first", "text", ByteBuffer.wrap(new byte[] {7})), client.sent());
    }

    @Test
    void an_overflow_while_a_group_is_in_flight_closes_once_even_when_its_sends_then_fail() {
        FakeSession client = new FakeSession(null).batching().closeHandshake().completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(3, 1000));
        sendAll(outbox, "one", "two", "three");
        client.completeNext(new SendResult()); // two and three in flight together

        outbox.send("four");
        assertFalse(outbox.send("five"), "over the limit of three");
        client.completeNext(new SendResult(new IOException("closed")));
        client.completeNext(new SendResult(new IOException("closed")));

        assertEquals(List.of(SLOW.toString()), client.closes().stream().map(CloseReason::toString).toList());
        assertEquals(0, outbox.pending());
    }

    @Test
    void what_is_left_of_a_group_when_the_outbox_closes_is_not_sent_after_the_close() {
        FakeSession client = new FakeSession(null).batching().closeHandshake().completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(4, 1000));
        sendAll(outbox, "one", "two", "three", "four");
        client.whenSending(message -> {
            if ("two".equals(message)) { // the client falls behind while the group is handed over
                outbox.send("five");
                outbox.send("six");
            }
        });

        client.completeNext(new SendResult());

        assertEquals(List.of("one", "two"), client.sent());
        assertEquals(List.of(SLOW.toString()), client.closes().stream().map(CloseReason::toString).toList());
    }

    @Test
    void a_group_the_container_cannot_flush_closes_the_session_once() {
        FakeSession client = new FakeSession(null).batching().closeHandshake().completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(10, 1000));
        outbox.send("one");
        outbox.send("two");
        outbox.send("three");
        client.failFlush();

        client.completeNext(new SendResult());

        assertEquals(List.of(SLOW.toString()), client.closes().stream().map(CloseReason::toString).toList());
        assertFalse(outbox.send("four"));
    }

    @Test
    void a_group_that_fails_closes_the_session_once_and_counts_nothing_it_did_not_deliver() {
        FakeSession client = new FakeSession(null).batching().closeHandshake().completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(10, 1000));
        outbox.send("one");
        outbox.send("two");
        outbox.send("three");
        client.completeNext(new SendResult());

        client.completeNext(new SendResult(new IOException("broken pipe")));
        client.completeNext(new SendResult(new IOException("broken pipe")));

        assertEquals(List.of(SLOW.toString()), client.closes().stream().map(CloseReason::toString).toList());
        assertEquals(1, outbox.delivered());
        assertEquals(0, outbox.pending());
        assertFalse(outbox.send("four"));
    }

    @Test
    void a_container_that_ignores_batching_gets_one_message_per_write() {
        FakeSession client = new FakeSession(null).completeInline(false); // ignores setBatchingAllowed, as Tyrus
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(10, 1000));

        outbox.send("one");
        outbox.send("two");
        outbox.send("three");
        client.completeNext(new SendResult());

        assertEquals(List.of(1, 1), client.writes());
        assertEquals(List.of("one", "two"), client.sent(), "one in flight at a time");
    }

    @Test
    void binary_messages_are_copied_because_the_container_may_reuse_its_buffer() {
        FakeSession client = new FakeSession(null).completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(10, 1000));
        ByteBuffer reused = ByteBuffer.wrap(new byte[] {1, 2, 3});

        outbox.send(reused);
        reused.put(0, (byte) 9);

        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), client.sent().get(0));
    }

    private static void sendAll(Outbox outbox, String... messages) {
        for (String message : messages) {
            outbox.send(message);
        }
    }

    private static Outbox coalescing(FakeSession client, Outbox.Limits limits) {
        return new Outbox(client.session(), limits, SessionMeters.unobserved().endpoint("chat"), true);
    }

    @Test
    void a_coalescing_outbox_sends_a_lone_message_alone_and_at_once() {
        FakeSession client = new FakeSession(null).completeInline(false);
        Outbox outbox = coalescing(client, new Outbox.Limits(10, 1000));

        outbox.send("{\"seq\":1}");

        assertEquals(List.of("{\"seq\":1}"), client.sent(), "nothing was waiting: no batch, no delay");
    }

    @Test
    void a_coalescing_outbox_sends_what_waited_behind_a_send_as_one_message_one_line_each_in_order() {
        FakeSession client = new FakeSession(null).completeInline(false);
        Outbox outbox = coalescing(client, new Outbox.Limits(10, 1000));
        outbox.send("a");
        outbox.send("b");
        outbox.send("c");
        assertEquals(3, outbox.pending(), "each message counts against the bounds, batched or not");

        client.completeNext(new SendResult());
        assertEquals(List.of("a", "b\nc"), client.sent());
        assertEquals(2, outbox.pending(), "the batch in flight holds both");
        client.completeNext(new SendResult());

        assertEquals(0, outbox.pending());
        assertEquals(3, outbox.delivered(), "counted per message, not per WebSocket message");
        assertEquals(0, outbox.queuedBytes());
    }

    @Test
    void a_batch_stops_at_its_byte_limit_and_at_a_binary_message() {
        FakeSession client = new FakeSession(null).completeInline(false);
        Outbox outbox = coalescing(client, new Outbox.Limits(100, 10 * Outbox.MAX_BATCH_BYTES));
        String half = "x".repeat(Outbox.MAX_BATCH_BYTES / 2);
        outbox.send("first");
        outbox.send(half);
        outbox.send(half); // with the separator, one byte over the limit: the next batch
        outbox.send("tail");
        outbox.send(ByteBuffer.wrap(new byte[] {7}));
        outbox.send("after");

        for (int i = 0; i < 5; i++) {
            client.completeNext(new SendResult());
        }

        assertEquals(List.of("first", half, half + "\ntail", ByteBuffer.wrap(new byte[] {7}), "after"), client.sent());
    }

    @Test
    void a_coalescing_outbox_still_closes_a_client_that_does_not_read() {
        FakeSession stalled = new FakeSession(null).completeInline(false);
        Outbox outbox = coalescing(stalled, new Outbox.Limits(3, 1000));

        assertTrue(outbox.send("1"));
        assertTrue(outbox.send("2"));
        assertTrue(outbox.send("3"));
        assertFalse(outbox.send("4"));

        assertEquals(List.of(SLOW.toString()), stalled.closes().stream().map(CloseReason::toString).toList());
    }

    @Test
    void a_failed_batch_delivers_none_of_its_messages_and_closes_the_session() {
        FakeSession client = new FakeSession(null).completeInline(false);
        Outbox outbox = coalescing(client, new Outbox.Limits(10, 1000));
        outbox.send("a");
        outbox.send("b");
        outbox.send("c");
        client.completeNext(new SendResult()); // "a" delivered; "b\nc" in flight

        client.completeNext(new SendResult(new IOException("send timed out")));

        assertEquals(1, outbox.delivered(), "neither message of the failed batch counts as delivered");
        assertEquals(0, outbox.queuedBytes());
        assertEquals(List.of(SLOW.toString()), client.closes().stream().map(CloseReason::toString).toList());
        assertFalse(outbox.send("d"));
    }

    @Test
    void an_overflow_while_a_batch_is_in_flight_leaves_no_bytes_counted_not_fewer_than_none() {
        FakeSession stalled = new FakeSession(null).completeInline(false);
        Outbox outbox = coalescing(stalled, new Outbox.Limits(4, 1000));
        outbox.send("1");
        outbox.send("2");
        outbox.send("3");
        stalled.completeNext(new SendResult()); // "1" done; "2\n3" in flight
        outbox.send("4");
        outbox.send("5");
        assertFalse(outbox.send("6"), "over the limit of 4 waiting");

        stalled.completeNext(new SendResult()); // the batch in flight ends after the overflow

        assertEquals(0, outbox.queuedBytes());
    }

    @Test
    void every_message_of_a_batch_is_measured_from_its_own_post() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        FakeSession client = new FakeSession(null).completeInline(false);
        Outbox outbox = new Outbox(client.session(), new Outbox.Limits(10, 1000), new SessionMeters(registry).endpoint("chat"), true);
        long now = System.currentTimeMillis();
        outbox.send("welcome");
        outbox.enqueue("m1", 2, now - 10);
        outbox.enqueue("m2", 2, now - 10);
        outbox.flush();

        client.completeNext(new SendResult());
        client.completeNext(new SendResult());

        assertEquals(List.of("welcome", "m1\nm2"), client.sent());
        assertEquals(2, registry.get("keyhole.delivery.latency").tag("endpoint", "chat").timer().count());
        assertEquals(3.0, registry.get("keyhole.messages.delivered").tag("endpoint", "chat").counter().count());
    }
}
