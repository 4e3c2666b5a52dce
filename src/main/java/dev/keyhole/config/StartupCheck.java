package dev.keyhole.config;

import dev.keyhole.log.LogLine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads every setting when the application starts: an invalid value stops the deployment with a message that
 * names the key, instead of failing later on the first connection. Logs each effective value once.
 */
@ApplicationScoped
public class StartupCheck {

    private static final Logger LOG = Logger.getLogger(StartupCheck.class.getName());

    void onStartup(@Observes Startup startup, Settings settings) {
        for (Setting<?> setting : Setting.all()) {
            if (setting.isTemplate()) {
                continue; // read, and checked, by the feature that knows the names
            }
            Object value;
            try {
                value = settings.get(setting);
            } catch (InvalidSettingException e) {
                LOG.log(Level.SEVERE, LogLine.event("config.invalid").with("key", setting.key())
                        .with("message", e.getMessage()).toString());
                throw e;
            }
            if (setting == Setting.CLUSTER_REDIS_URI) {
                value = Values.withoutCredentials(String.valueOf(value));
            }
            LOG.info(LogLine.event("config").with("key", setting.key()).with("value", value)
                    .with("source", settings.isDefault(setting) ? "default" : "configured").toString());
        }
    }
}
