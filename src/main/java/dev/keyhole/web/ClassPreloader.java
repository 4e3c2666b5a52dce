package dev.keyhole.web;

import dev.keyhole.log.LogLine;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Loads every class of the application when it starts. Payara Micro deletes its runtime folder — where the
 * exploded WAR lives — as soon as the JVM begins to stop, while it still serves during its shutdown grace: a class
 * first needed then (the 503 for a handshake during shutdown, the 1001 for open sessions) could no longer be
 * loaded. Loaded up front, the shutdown path needs no file.
 */
public class ClassPreloader implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(ClassPreloader.class.getName());
    private static final String ROOT = "/WEB-INF/classes/";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        ClassLoader loader = context.getClassLoader();
        int loaded = 0;
        Deque<String> folders = new ArrayDeque<>();
        folders.push(ROOT);
        while (!folders.isEmpty()) {
            Set<String> entries = context.getResourcePaths(folders.pop());
            if (entries == null) {
                continue;
            }
            for (String entry : entries) {
                if (entry.endsWith("/")) {
                    folders.push(entry);
                } else if (entry.endsWith(".class") && !entry.endsWith("module-info.class")
                        && !entry.endsWith("package-info.class")) {
                    loaded += load(className(entry), loader) ? 1 : 0;
                }
            }
        }
        int count = loaded;
        LOG.fine(() -> LogLine.event("classes.preloaded").with("count", count).toString());
    }

    /** {@code /WEB-INF/classes/dev/keyhole/web/Origin.class} is {@code dev.keyhole.web.Origin}. */
    static String className(String resource) {
        return resource.substring(ROOT.length(), resource.length() - ".class".length()).replace('/', '.');
    }

    private static boolean load(String name, ClassLoader loader) {
        try {
            Class.forName(name, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.log(Level.FINE, e, () -> LogLine.event("classes.preload-failed").with("class", name).toString());
            return false;
        }
    }
}
