package dev.keyhole.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogLineTest {

    @Test
    void plain_values_are_written_as_they_are() {
        String line = LogLine.event("ws.close").with("code", 1009).with("reason", "message-too-big").toString();

        assertEquals("event=ws.close code=1009 reason=message-too-big", line);
    }

    @Test
    void null_values_are_written_as_a_dash() {
        assertEquals("event=e subject=-", LogLine.event("e").with("subject", null).toString());
    }

    @Test
    void values_with_spaces_or_equals_signs_are_quoted_so_they_cannot_add_fields() {
        String line = LogLine.event("auth").with("subject", "CN=alice reason=accepted").toString();

        assertEquals("event=auth subject=\"CN=alice reason=accepted\"", line);
    }

    @Test
    void a_newline_in_a_value_cannot_start_a_forged_log_line() {
        String line = LogLine.event("auth").with("subject", "CN=x\nevent=auth reason=accepted").toString();

        assertFalse(line.contains("\n"));
        assertEquals("event=auth subject=\"CN=x\\u000aevent=auth reason=accepted\"", line);
    }

    @Test
    void quotes_and_backslashes_are_escaped_so_a_value_cannot_close_its_quotes() {
        String line = LogLine.event("e").with("v", "a\" b=\\").toString();

        assertEquals("event=e v=\"a\\\" b=\\\\\"", line);
    }

    @Test
    void bidirectional_overrides_and_separators_are_escaped() {
        String line = LogLine.event("e").with("v", "admin\u202Egnp.exe\u2028x").toString();

        assertEquals("event=e v=\"admin\\u202egnp.exe\\u2028x\"", line);
    }

    @Test
    void long_values_are_cut() {
        String line = LogLine.event("e").with("v", "a".repeat(10_000)).toString();

        assertTrue(line.length() < 300, line.length() + " characters");
        assertTrue(line.endsWith("...\""));
    }

    @Test
    void empty_values_are_quoted_so_the_field_stays_visible() {
        assertEquals("event=e v=\"\"", LogLine.event("e").with("v", "").toString());
    }

    @Test
    void keys_must_be_lower_case_words() {
        assertThrows(IllegalArgumentException.class, () -> LogLine.event("e").with("Bad Key", 1));
    }
}
