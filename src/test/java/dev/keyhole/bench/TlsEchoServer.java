package dev.keyhole.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Properties;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The floor: a raw JSSE TLS server that echoes every byte it reads, one thread per connection, with the same
 * certificates, protocol and client-auth mode (want) as the servers under test. No WebSocket, no HTTP: what is
 * left is TLS, the socket and the JVM, the cost every WebSocket server on this machine pays at least.
 *
 * <p>Run as its own process: {@code TlsEchoServer PORT JSSE_PROPERTIES_FILE}; prints {@code ready} when it listens.
 */
public final class TlsEchoServer {

    private TlsEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Properties jsse = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            jsse.load(in);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers(jsse), trustManagers(jsse), null);
        SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(port, 1024, InetAddress.getLoopbackAddress());
        server.setWantClientAuth(true);
        server.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        System.out.println("ready");
        System.out.flush();
        while (true) {
            SSLSocket socket = (SSLSocket) server.accept();
            Thread worker = new Thread(() -> echo(socket), "echo");
            worker.setDaemon(true);
            worker.start();
        }
    }

    private static void echo(SSLSocket socket) {
        byte[] buffer = new byte[16 * 1024];
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                out.write(buffer, 0, read);
            }
        } catch (IOException e) {
            // the client went away: this connection is done
        }
    }

    private static javax.net.ssl.KeyManager[] keyManagers(Properties jsse) throws Exception {
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        char[] password = jsse.getProperty("javax.net.ssl.keyStorePassword").toCharArray();
        factory.init(load(jsse.getProperty("javax.net.ssl.keyStore"), password), password);
        return factory.getKeyManagers();
    }

    private static javax.net.ssl.TrustManager[] trustManagers(Properties jsse) throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(load(jsse.getProperty("javax.net.ssl.trustStore"),
                jsse.getProperty("javax.net.ssl.trustStorePassword").toCharArray()));
        return factory.getTrustManagers();
    }

    private static KeyStore load(String file, char[] password) throws Exception {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        }
    }
}
