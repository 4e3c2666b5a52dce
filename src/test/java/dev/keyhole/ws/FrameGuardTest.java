package dev.keyhole.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FrameGuardTest {

    private static final int TEXT = 1;
    private static final int BINARY = 2;
    private static final int CONTINUATION = 0;
    private static final int PING = 9;

    /** A masked client frame with a zero key; the payload is {@code payload} zero bytes. */
    private static byte[] frame(boolean fin, int opcode, int payload) {
        return concat(header(fin, opcode, payload), new byte[payload]);
    }

    private static byte[] header(boolean fin, int opcode, long length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            out.write(0x80 | (int) length);
        } else if (length < 65536) {
            out.write(0x80 | 126);
            out.write((int) (length >> 8));
            out.write((int) length);
        } else {
            out.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (length >>> (8 * i)));
            }
        }
        out.writeBytes(new byte[4]);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static int inspect(FrameGuard guard, byte[] bytes) {
        return guard.inspect(bytes, 0, bytes.length);
    }

    @Test
    void messages_up_to_the_limit_pass_whole_in_one_frame_or_in_fragments() {
        FrameGuard guard = new FrameGuard(1000);
        byte[] stream = concat(frame(true, TEXT, 1000), frame(false, BINARY, 500), frame(true, CONTINUATION, 500),
                frame(true, BINARY, 0));

        assertEquals(stream.length, inspect(guard, stream));
        assertFalse(guard.tripped());
    }

    @Test
    void a_frame_announcing_more_than_the_limit_is_stopped_at_its_header() {
        FrameGuard guard = new FrameGuard(1000);
        byte[] before = frame(true, TEXT, 10);
        byte[] stream = concat(before, header(true, BINARY, 1L << 30), new byte[100]);

        assertEquals(before.length, inspect(guard, stream));
        assertTrue(guard.tripped());
        assertEquals(0, inspect(guard, new byte[50]), "nothing passes once tripped");
    }

    @Test
    void a_fragmented_message_is_stopped_at_the_fragment_that_takes_it_over_the_limit() {
        FrameGuard guard = new FrameGuard(1000);
        int passed = 0;
        passed += inspect(guard, frame(false, BINARY, 400));
        passed += inspect(guard, frame(false, CONTINUATION, 400));
        byte[] over = frame(false, CONTINUATION, 201);

        assertEquals(0, inspect(guard, over));
        assertTrue(guard.tripped());
        assertEquals(2 * (400 + 8), passed);
    }

    @Test
    void control_frames_between_fragments_do_not_count_and_a_new_message_starts_from_zero() {
        FrameGuard guard = new FrameGuard(1000);
        byte[] stream = concat(frame(false, TEXT, 900), frame(true, PING, 125), frame(true, CONTINUATION, 100),
                frame(true, TEXT, 1000));

        assertEquals(stream.length, inspect(guard, stream));
        assertFalse(guard.tripped());
    }

    @Test
    void headers_and_payloads_split_across_reads_are_followed() {
        FrameGuard guard = new FrameGuard(70_000);
        byte[] stream = concat(frame(true, BINARY, 65_000), header(true, TEXT, 80_000));
        int passed = 0;
        for (int at = 0; at < stream.length; at += 3) {
            int length = Math.min(3, stream.length - at);
            passed += guard.inspect(stream, at, length);
        }

        assertTrue(guard.tripped());
        // the bytes of the offending header that came before the read that completed it had already passed
        assertTrue(passed >= 65_000 + 8 && passed < 65_000 + 8 + 14, "passed " + passed);
    }

    @Test
    void a_control_or_reserved_frame_longer_than_125_bytes_is_stopped_at_its_header() {
        for (int opcode : new int[] {PING, 3, 11}) {
            FrameGuard guard = new FrameGuard(1 << 20);
            byte[] fine = frame(true, PING, 125);
            byte[] huge = header(true, opcode, 1L << 30);

            assertEquals(fine.length, inspect(guard, concat(fine, huge)), "opcode " + opcode);
            assertTrue(guard.tripped(), "opcode " + opcode);
        }
    }

    @Test
    void a_length_with_the_top_bit_set_is_refused() {
        FrameGuard guard = new FrameGuard(Long.MAX_VALUE);
        byte[] header = header(true, BINARY, 1L << 20);
        header[2] = (byte) 0x80;

        assertEquals(0, inspect(guard, header));
        assertTrue(guard.tripped());
    }

    @Test
    void the_trip_action_runs_once_whether_the_endpoint_attaches_before_or_after() {
        AtomicInteger before = new AtomicInteger();
        FrameGuard early = new FrameGuard(1000);
        early.attach(100, before::incrementAndGet);
        inspect(early, frame(true, TEXT, 101));
        inspect(early, frame(true, TEXT, 101));
        assertEquals(1, before.get(), "the endpoint's limit applies once attached");

        AtomicInteger after = new AtomicInteger();
        FrameGuard late = new FrameGuard(1000);
        inspect(late, frame(true, TEXT, 2000));
        late.attach(100, after::incrementAndGet);
        assertEquals(1, after.get());
    }

    @Test
    void the_trip_action_waits_until_the_oversized_frame_has_arrived_so_that_closing_does_not_reset_the_connection() {
        AtomicInteger trips = new AtomicInteger();
        FrameGuard guard = new FrameGuard(100);
        guard.attach(100, trips::incrementAndGet);

        inspect(guard, concat(header(true, BINARY, 1000), new byte[400]));
        assertTrue(guard.tripped());
        assertTrue(guard.waiting());
        assertEquals(0, trips.get(), "600 bytes of the frame are still on their way");

        assertEquals(0, inspect(guard, new byte[599]));
        assertEquals(0, trips.get());
        assertEquals(0, inspect(guard, new byte[1]));
        assertEquals(1, trips.get());
        assertFalse(guard.waiting());
    }

    @Test
    void a_frame_announcing_more_than_is_worth_reading_or_never_sent_whole_trips_when_told_to_stop_waiting() {
        AtomicInteger trips = new AtomicInteger();
        FrameGuard huge = new FrameGuard(100);
        huge.attach(100, trips::incrementAndGet);
        inspect(huge, header(true, BINARY, Long.MAX_VALUE / 2));
        inspect(huge, new byte[(int) FrameGuard.DISCARD_LIMIT]);
        assertEquals(1, trips.get(), "at most DISCARD_LIMIT bytes are read past");

        AtomicInteger stalled = new AtomicInteger();
        FrameGuard guard = new FrameGuard(100);
        guard.attach(100, stalled::incrementAndGet);
        inspect(guard, header(true, BINARY, 1000));
        assertEquals(0, stalled.get());
        guard.settle();
        guard.settle();
        assertEquals(1, stalled.get());
    }
}
