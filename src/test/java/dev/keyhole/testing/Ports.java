package dev.keyhole.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The HTTP and HTTPS ports of a server a test starts itself (the uber-jar, the dev runner): two loopback ports that
 * are free when asked for, chosen by the operating system. The build reserves ports only for the servers Arquillian
 * starts (pom.xml, it-ports), since arquillian.xml must name them before the tests run.
 */
public record Ports(int http, int https) {

    /** Two different ports, free on 127.0.0.1 right now. */
    public static Ports free() throws IOException {
        try (ServerSocket http = bound(); ServerSocket https = bound()) {
            return new Ports(http.getLocalPort(), https.getLocalPort());
        }
    }

    private static ServerSocket bound() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return socket;
    }
}
