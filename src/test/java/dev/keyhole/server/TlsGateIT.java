package dev.keyhole.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyhole.testing.Deployments;
import dev.keyhole.testing.ItPki;
import dev.keyhole.testing.Target;
import dev.keyhole.testing.TlsGate;
import dev.keyhole.testing.TlsScan;
import java.nio.file.Path;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The TLS configuration gate on this target's endpoint (Keyhole's listener, or the Apache front), configured only by
 * server-config/: sslscan and testssl.sh scan it, {@link TlsGate} judges their parsed output. The scanners' files
 * stay in target/tls-gate/TARGET for a look.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TlsGateIT {

    @Deployment(testable = false)
    static WebArchive keyhole() {
        return Deployments.builtWar();
    }

    @Test
    void the_endpoint_offers_only_the_intermediate_profile_asks_for_our_client_ca_and_sends_hsts() throws Exception {
        Target target = Target.current();

        TlsScan scan = TlsScan.of("localhost", target.httpsPort(), ItPki.keyhole().resolve("ca.crt"),
                Path.of("target/tls-gate", target.id()));

        assertEquals(List.of(), TlsGate.violations(scan, ItPki.ca()));
    }
}
