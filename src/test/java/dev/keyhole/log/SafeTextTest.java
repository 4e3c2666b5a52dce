package dev.keyhole.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SafeTextTest {

    @Test
    void printable_text_including_non_ascii_letters_is_kept() {
        assertEquals("Bob Müller 日本", SafeText.of("Bob Müller 日本", 100));
    }

    @Test
    void control_characters_are_escaped() {
        assertEquals("a\\u000d\\u000ab\\u0000\\u001b[31m", SafeText.of("a\r\nb\0\u001b[31m", 100));
    }

    @Test
    void a_backslash_is_doubled_so_escapes_stay_unambiguous() {
        assertEquals("\\\\u000a", SafeText.of("\\u000a", 100));
    }

    @Test
    void text_is_cut_at_the_limit_counting_code_points() {
        assertEquals("😀😀...", SafeText.of("😀😀😀", 2));
    }

    @Test
    void null_becomes_empty() {
        assertEquals("", SafeText.of(null, 10));
    }
}
