import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Checks a Keyhole wss:// endpoint with nothing but a JDK: connects (presenting a client certificate if given),
 * sends one text message and prints the first text the server sends (the echo on /echo, the identity on /whoami),
 * or says why it could not.
 *
 * <pre>
 * java server-config/tools/WssEcho.java wss://localhost:8443/echo --ca .keyhole/pki/ca.crt \
 *      [--p12 .keyhole/pki/clients/dev-user.p12 [--password-file FILE]] [--message TEXT]
 * </pre>
 *
 * The .p12 password is read from --password-file, else from the FILE.pass that the PKI tooling writes beside it.
 * Exit status: 0 when the server answered, 1 when it refused, closed or failed.
 */
public class WssEcho {

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            usage("a wss:// URL is required");
        }
        URI uri = URI.create(args[0]);
        Path ca = null;
        Path p12 = null;
        Path passwordFile = null;
        String message = "hello from WssEcho";
        for (int i = 1; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--ca" -> ca = Path.of(args[i + 1]);
                case "--p12" -> p12 = Path.of(args[i + 1]);
                case "--password-file" -> passwordFile = Path.of(args[i + 1]);
                case "--message" -> message = args[i + 1];
                default -> usage("unknown option " + args[i]);
            }
        }
        if (p12 != null && passwordFile == null) {
            passwordFile = p12.resolveSibling(p12.getFileName() + ".pass");
        }
        System.exit(run(uri, tls(ca, p12, passwordFile), message) ? 0 : 1);
    }

    private static boolean run(URI uri, SSLContext tls, String message) throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        WebSocket socket;
        try {
            socket = HttpClient.newBuilder().sslContext(tls).build().newWebSocketBuilder()
                    .buildAsync(uri, new WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                reply.complete(text.toString());
                            }
                            webSocket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int code, String reason) {
                            reply.completeExceptionally(new IOException("closed by the server: " + code + " " + reason));
                            return null;
                        }

                        @Override
                        public void onError(WebSocket webSocket, Throwable error) {
                            reply.completeExceptionally(error);
                        }
                    }).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                Object body = refused.getResponse().body();
                System.out.println("refused: HTTP " + refused.getResponse().statusCode() + (body == null ? "" : " " + body.toString().strip()));
            } else {
                System.out.println("failed: " + e.getCause());
            }
            return false;
        }
        System.out.println("connected: " + uri);
        socket.sendText(message, true).get(20, TimeUnit.SECONDS);
        try {
            String echoed = reply.get(20, TimeUnit.SECONDS);
            System.out.println("reply: " + echoed);
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(20, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            System.out.println("failed: " + e.getCause().getMessage());
            return false;
        }
    }

    private static SSLContext tls(Path ca, Path p12, Path passwordFile) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (ca == null) {
            trust.init((KeyStore) null);
        } else {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            try (InputStream in = Files.newInputStream(ca)) {
                store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            trust.init(store);
        }
        KeyManagerFactory keys = null;
        if (p12 != null) {
            char[] password = Files.readAllLines(passwordFile).get(0).strip().toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                store.load(in, password);
            }
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    private static void usage(String problem) {
        System.err.println("WssEcho: " + problem);
        System.err.println("usage: java WssEcho.java wss://HOST:PORT/echo [--ca CA.crt] [--p12 CLIENT.p12 [--password-file FILE]] [--message TEXT]");
        System.exit(2);
    }
}
