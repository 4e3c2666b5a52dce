package dev.keyhole.web;

import dev.keyhole.config.InvalidSettingException;
import dev.keyhole.config.Settings;
import dev.keyhole.log.LogLine;
import dev.keyhole.ws.MessageLimits;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.websocket.server.ServerContainer;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The WebSocket container's own message limits, from the endpoints' settings, when the application starts: the
 * {@code ServerContainer} default buffer sizes become the largest message any endpoint accepts (each session is then
 * narrowed to its endpoint's limit), and Tyrus's frame buffer — a fixed context parameter in web.xml, read by Tyrus
 * before any application code runs — is checked to hold that message in one frame. Logged as {@code ws.limits}.
 */
public class ContainerLimits implements ServletContextListener {

    /** Tyrus's frame buffer size (web.xml): the largest frame Tyrus reads; over it, Tyrus closes with 1011. */
    static final String TYRUS_FRAME_BUFFER = "org.glassfish.tyrus.servlet.incoming-buffer-size";

    private static final Logger LOG = Logger.getLogger(ContainerLimits.class.getName());

    @Inject
    Settings settings;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        int cap;
        try {
            cap = MessageLimits.containerCap(settings);
        } catch (InvalidSettingException e) {
            return; // StartupCheck names the key and stops the deployment
        }
        Object attribute = context.getAttribute(ServerContainer.class.getName());
        if (attribute instanceof ServerContainer container) {
            // The same backstop above the endpoints' own limits as each session gets (SessionRuntime): Undertow may keep
            // the default for a session, and must never close before the endpoint's own 1009 message-too-big.
            container.setDefaultMaxTextMessageBufferSize(cap + MessageLimits.CONTAINER_SLACK_BYTES);
            container.setDefaultMaxBinaryMessageBufferSize(cap + MessageLimits.CONTAINER_SLACK_BYTES);
        }
        String frameBuffer = context.getInitParameter(TYRUS_FRAME_BUFFER);
        LOG.info(LogLine.event("ws.limits").with("container-cap", cap)
                .with("server-container", attribute instanceof ServerContainer ? "set" : "absent")
                .with("tyrus-frame-buffer", frameBuffer).toString());
        problem(cap, frameBuffer).ifPresent(problem -> LOG.warning(LogLine.event("ws.warning").with("problem", problem)
                .with("effect", "on Payara a single frame larger than the frame buffer closes with 1011").toString()));
    }

    /** Why the Tyrus frame buffer cannot hold the largest message in one frame, if it cannot. */
    static Optional<String> problem(int cap, String frameBuffer) {
        if (frameBuffer == null) {
            return Optional.of(TYRUS_FRAME_BUFFER + " is not set in web.xml");
        }
        long size;
        try {
            size = Long.parseLong(frameBuffer.strip());
        } catch (NumberFormatException e) {
            return Optional.of(TYRUS_FRAME_BUFFER + " is not a number");
        }
        if (size < (long) cap + MessageLimits.FRAME_OVERHEAD) {
            return Optional.of("a message limit (" + cap + " bytes) does not fit in " + TYRUS_FRAME_BUFFER
                    + " (" + size + " bytes)");
        }
        return Optional.empty();
    }
}
