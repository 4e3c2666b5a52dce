package dev.keyhole.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    private static final Setting<Integer> MAX = Setting.ECHO_MAX_MESSAGE_BYTES;

    @Test
    void an_absent_key_takes_its_default() {
        Settings settings = Settings.of(Map.of());

        assertEquals(65536, settings.get(MAX));
        assertTrue(settings.isDefault(MAX));
    }

    @Test
    void a_configured_value_is_parsed() {
        Settings settings = Settings.of(Map.of(MAX.key(), " 1024 "));

        assertEquals(1024, settings.get(MAX));
        assertFalse(settings.isDefault(MAX));
    }

    @Test
    void a_blank_value_counts_as_absent() {
        assertEquals(65536, Settings.of(Map.of(MAX.key(), "  ")).get(MAX));
    }

    @Test
    void a_value_that_is_not_a_number_is_rejected_with_the_key_and_the_accepted_range() {
        Settings settings = Settings.of(Map.of(MAX.key(), "64k"));

        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> settings.get(MAX));

        assertEquals("Invalid value '64k' for keyhole.echo.max-message-bytes: expected a whole number from 1 to 1048576",
                e.getMessage());
    }

    @Test
    void a_value_out_of_range_is_rejected() {
        assertThrows(InvalidSettingException.class, () -> Settings.of(Map.of(MAX.key(), "0")).get(MAX));
        assertThrows(InvalidSettingException.class, () -> Settings.of(Map.of(MAX.key(), "16777217")).get(MAX));
    }

    @Test
    void a_rejected_value_is_shown_without_control_characters() {
        Settings settings = Settings.of(Map.of(MAX.key(), "1\n2"));

        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> settings.get(MAX));

        assertTrue(e.getMessage().startsWith("Invalid value '1\\u000a2' for"), e.getMessage());
    }

    @Test
    void none_switches_the_content_security_policy_off_and_an_empty_value_keeps_the_default() {
        assertEquals("", Settings.of(Map.of("keyhole.web.content-security-policy", "None"))
                .get(Setting.WEB_CONTENT_SECURITY_POLICY));
        assertEquals(Setting.WEB_CONTENT_SECURITY_POLICY.defaultValue(),
                Settings.of(Map.of("keyhole.web.content-security-policy", " ")).get(Setting.WEB_CONTENT_SECURITY_POLICY));
    }

    @Test
    void a_header_value_with_a_line_break_is_rejected() {
        Settings settings = Settings.of(Map.of(Setting.WEB_CONTENT_SECURITY_POLICY.key(), "default-src 'none'\r\nSet-Cookie: x=1"));

        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> settings.get(Setting.WEB_CONTENT_SECURITY_POLICY));
        assertTrue(e.getMessage().contains("keyhole.web.content-security-policy"), e.getMessage());
    }
}
