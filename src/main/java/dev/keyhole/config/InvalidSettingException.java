package dev.keyhole.config;

import dev.keyhole.log.SafeText;

/** A configured value that Keyhole does not accept; it stops the deployment with a message naming the key. */
public class InvalidSettingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private static final int MAX_SHOWN_VALUE = 80;

    public InvalidSettingException(Setting<?> setting, String raw, String expected) {
        super("Invalid value '" + SafeText.of(raw, MAX_SHOWN_VALUE) + "' for " + setting.key() + ": " + expected);
    }
}
