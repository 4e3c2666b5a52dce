package dev.keyhole.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MessageAssemblerTest {

    private final MessageAssembler assembler = new MessageAssembler(10);

    @Test
    void a_text_message_in_one_part_is_returned_whole() {
        assertEquals(Optional.of("hello"), assembler.text("hello", true));
    }

    @Test
    void text_parts_are_joined_when_the_last_one_arrives() {
        assertEquals(Optional.empty(), assembler.text("hel", false));
        assertEquals(Optional.empty(), assembler.text("lo ", false));
        assertEquals(Optional.of("hello you"), assembler.text("you", true));
    }

    @Test
    void text_exactly_at_the_limit_is_accepted() {
        assertEquals(Optional.of("0123456789"), assembler.text("0123456789", true));
    }

    @Test
    void text_one_byte_over_the_limit_is_refused() {
        assertThrows(MessageTooBigException.class, () -> assembler.text("0123456789x", true));
    }

    @Test
    void the_limit_counts_utf8_bytes_not_characters() {
        // "é" is 2 bytes and "😀" 4 bytes in UTF-8: 4 + 2 + 4 = 10 bytes in 5 chars.
        assertEquals(Optional.of("ab" + "é" + "😀" + "cd"), new MessageAssembler(10).text("abé😀cd", true));
        assertThrows(MessageTooBigException.class, () -> new MessageAssembler(10).text("abé😀cde", true));
    }

    @Test
    void a_message_is_refused_as_soon_as_its_parts_pass_the_limit() {
        assembler.text("012345", false);

        assertThrows(MessageTooBigException.class, () -> assembler.text("6789x", false));
    }

    @Test
    void after_a_refused_message_the_next_one_starts_empty() {
        assembler.text("012345", false);
        assertThrows(MessageTooBigException.class, () -> assembler.text("6789x", false));

        assertEquals(Optional.of("fresh"), assembler.text("fresh", true));
    }

    @Test
    void binary_parts_are_joined_in_order() {
        assertEquals(Optional.empty(), assembler.binary(ByteBuffer.wrap(new byte[] {1, 2}), false));
        Optional<ByteBuffer> whole = assembler.binary(ByteBuffer.wrap(new byte[] {3}), true);

        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), whole.orElseThrow());
    }

    @Test
    void binary_parts_are_copied_so_the_container_may_reuse_its_buffers() {
        byte[] reused = {1, 2};
        assembler.binary(ByteBuffer.wrap(reused), false);
        reused[0] = 9;

        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}),
                assembler.binary(ByteBuffer.wrap(new byte[] {3}), true).orElseThrow());
    }

    @Test
    void binary_over_the_limit_is_refused() {
        assertEquals(10, assembler.binary(ByteBuffer.allocate(10), true).orElseThrow().remaining());
        assertThrows(MessageTooBigException.class, () -> assembler.binary(ByteBuffer.allocate(11), true));
    }

    @Test
    void text_and_binary_limits_are_counted_separately() {
        assembler.text("01234", false);

        assertEquals(10, assembler.binary(ByteBuffer.allocate(10), true).orElseThrow().remaining());
    }
}
