package dev.keyhole.testing;

import java.io.File;
import java.net.URI;
import java.net.URL;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** What the integration tests deploy (the WAR the build made, as is) and where they reach it. */
public final class Deployments {

    private Deployments() {
    }

    /** The built WAR, unchanged, so its web.xml, descriptors and filter order are what is tested. */
    public static WebArchive builtWar() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("keyhole.it.war")));
    }

    public static int httpsPort() {
        return Integer.getInteger("keyhole.it.https.port");
    }

    /** A wss:// URI on the HTTPS listener, in the context where Arquillian says the WAR is deployed. */
    public static URI wss(URL deployed, String path) {
        return URI.create("wss://localhost:" + httpsPort() + context(deployed) + path);
    }

    /** An https:// URI on the HTTPS listener, in the context where Arquillian says the WAR is deployed. */
    public static URI https(URL deployed, String path) {
        return URI.create("https://localhost:" + httpsPort() + context(deployed) + path);
    }

    private static String context(URL deployed) {
        String path = deployed.getPath();
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
