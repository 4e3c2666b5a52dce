package dev.keyhole.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/** Makes {@link Settings} injectable, backed by the server's MicroProfile Config. */
@ApplicationScoped
public class MicroProfileSettings {

    private Settings settings;

    @Inject
    void init(Config config) {
        settings = new Settings(key -> config.getOptionalValue(key, String.class));
    }

    @Produces
    Settings settings() {
        return settings;
    }
}
