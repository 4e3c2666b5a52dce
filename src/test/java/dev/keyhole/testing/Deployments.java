package dev.keyhole.testing;

import java.io.File;
import java.net.URI;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** What the integration tests deploy (the WAR the build made, as is) and where they reach it. */
public final class Deployments {

    private Deployments() {
    }

    /**
     * The built WAR, unchanged, so its web.xml, descriptors and filter order are what is tested. Named ROOT.war, so
     * that every server deploys it at "/", as operators do.
     */
    public static WebArchive builtWar() {
        return ShrinkWrap.create(WebArchive.class, "ROOT.war")
                .merge(ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("keyhole.it.war"))));
    }

    public static int httpsPort() {
        return Target.current().httpsPort();
    }

    /** A wss:// URI of the target under test. */
    public static URI wss(String path) {
        return Target.current().wss(path);
    }

    /** An https:// URI of the target under test. */
    public static URI https(String path) {
        return Target.current().https(path);
    }
}
