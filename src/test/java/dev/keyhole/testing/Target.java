package dev.keyhole.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The deploy target this run of the integration suite tests, chosen by the failsafe execution (system property
 * {@code keyhole.it.target}): Keyhole on Payara Micro, WildFly or Payara Server, or behind the Apache httpd front.
 * The same black-box tests run against each; this says where to reach Keyhole and where its log is.
 */
public enum Target {

    PAYARA_MICRO, WILDFLY, PAYARA_SERVER, APACHE;

    /** The target of this run (Payara Micro when none is set, e.g. for a test run from an IDE). */
    public static Target current() {
        String name = System.getProperty("keyhole.it.target", "payara-micro");
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** The name used in properties, folders and reports: payara-micro, wildfly, payara-server, apache. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether a front (Apache) terminates TLS and checks client certificates before Keyhole sees them. */
    public boolean isBehindProxy() {
        return this == APACHE;
    }

    /** Whether pages are offered over HTTP/2 (ALPN h2): not on Payara, whose Grizzly HTTP/2 corrupts TLS records. */
    public boolean offersHttp2() {
        return this == WILDFLY || this == APACHE;
    }

    /** The HTTPS port clients connect to: the server's, or the front's (keyhole.it.ID.https.port, set by pom.xml). */
    public int httpsPort() {
        return port("https");
    }

    /** The plain-HTTP port clients connect to (keyhole.it.ID.http.port). */
    public int httpPort() {
        return port("http");
    }

    private int port(String scheme) {
        String name = "keyhole.it." + id() + "." + scheme + ".port";
        Integer port = Integer.getInteger(name);
        if (port == null) {
            throw new IllegalStateException(name + " is not set: the build sets it for the integration tests (mvn verify)");
        }
        return port;
    }

    public URI wss(String path) {
        return URI.create("wss://localhost:" + httpsPort() + path);
    }

    public URI https(String path) {
        return URI.create("https://localhost:" + httpsPort() + path);
    }

    public URI http(String path) {
        return URI.create("http://localhost:" + httpPort() + path);
    }

    /** Keyhole's own log (behind the front: the backend's), from now on. */
    public ServerLog log() {
        return ServerLog.fromNow(logFile());
    }

    /** The server's log file: keyhole.it.server.log, or the log of the Payara Micro Arquillian starts. */
    Path logFile() {
        String configured = System.getProperty("keyhole.it.server.log");
        return configured != null ? Path.of(configured) : numbered(Path.of("target/it-logs/arquillian-payara.log"));
    }

    /** Payara's file handler writes NAME.0 (or NAME when it does not number its files). */
    private static Path numbered(Path file) {
        Path zero = file.resolveSibling(file.getFileName() + ".0");
        return Files.exists(zero) || !Files.exists(file) ? zero : file;
    }
}
