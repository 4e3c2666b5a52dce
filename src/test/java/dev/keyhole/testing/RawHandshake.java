package dev.keyhole.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A WebSocket opening handshake written by hand over TLS, for what the JDK client cannot do: send it from a chosen
 * local address (127.0.0.2 plays a trusted proxy), add any header ({@code Client-Cert}, {@code X-Forwarded-For}),
 * read the HTTP answer of a refused handshake (status, headers and body), and play a client that never reads.
 */
public final class RawHandshake {

    /**
     * The server's answer.
     *
     * @param firstText for 101, the first text frame the endpoint sent, if it sent one at once
     */
    public record Response(int status, Map<String, String> headers, String body, String firstText) {
    }

    private RawHandshake() {
    }

    /** Handshake from the default local address. */
    public static Response send(SSLContext tls, int port, String path, Map<String, String> headers) throws IOException {
        return send(tls, null, port, path, headers, false);
    }

    /**
     * @param localAddress the address to connect from, or null for the default
     * @param readFirstText whether to wait for the first text frame after a 101
     */
    public static Response send(SSLContext tls, InetAddress localAddress, int port, String path, Map<String, String> headers,
            boolean readFirstText) throws IOException {
        try (SSLSocket socket = connect(tls, localAddress, port)) {
            Response response = handshake(socket, port, path, headers);
            if (response.status() == 101 && readFirstText) {
                return new Response(101, response.headers(), "", textFrame(socket.getInputStream()));
            }
            return response;
        }
    }

    /**
     * A client that opened a WebSocket and sends binary frames, on a thread of its own, without ever reading what
     * the server sends back — or, given a frame size of 0, sends only an unsolicited pong every second, the
     * heartbeat that keeps a connection from timing out as idle. Closing it aborts the connection from below TLS,
     * which works even while the writer is blocked because the server stopped reading.
     */
    public static final class StalledClient implements AutoCloseable {
        private final Socket plain;
        /** Held here, not only by the writer: an unreachable SSLSocket is closed when it is collected. */
        private final SSLSocket socket;
        private final Thread writer;
        private final AtomicInteger written = new AtomicInteger();
        private final CountDownLatch stopped = new CountDownLatch(1);

        private StalledClient(Socket plain, SSLSocket socket, int frameBytes) {
            this.plain = plain;
            this.socket = socket;
            // A client frame: FIN + binary, masked (with a zero key, so the payload goes as it is), 16-bit length.
            byte[] frame = new byte[8 + frameBytes];
            frame[0] = (byte) 0x82;
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (frameBytes >> 8);
            frame[3] = (byte) frameBytes;
            // A masked, empty pong: FIN + pong, mask bit with a zero key.
            byte[] pong = {(byte) 0x8A, (byte) 0x80, 0, 0, 0, 0};
            writer = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    while (frameBytes > 0 && !Thread.currentThread().isInterrupted()) {
                        out.write(frame);
                        written.incrementAndGet();
                    }
                    while (frameBytes == 0 && !stopped.await(1, TimeUnit.SECONDS)) {
                        out.write(pong);
                        out.flush();
                    }
                } catch (IOException | InterruptedException ended) {
                    // the server dropped the connection, or the test aborted it
                }
            }, "stalled websocket client");
            writer.setDaemon(true);
            writer.start();
        }

        /** How many data frames (not heartbeats) went out so far. */
        public int framesWritten() {
            return written.get();
        }

        /** Whether the connection is still open on this side. */
        public boolean isOpen() {
            return !socket.isClosed();
        }

        @Override
        public void close() throws IOException {
            stopped.countDown();
            plain.setSoLinger(true, 0);
            plain.close();
            writer.interrupt();
            try {
                writer.join(WsClient.TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Opens a WebSocket at {@code path} and starts sending {@code frameBytes}-byte frames (none when 0) without ever
     * reading. Its receive buffer is small, so the server's sends back up early.
     */
    public static StalledClient stalledClient(SSLContext tls, int port, String path, int frameBytes) throws IOException {
        Socket plain = new Socket();
        plain.setReceiveBufferSize(4096);
        plain.connect(new InetSocketAddress("localhost", port), (int) WsClient.TIMEOUT.toMillis());
        SSLSocket socket = overTls(tls, plain, port);
        socket.setSoTimeout((int) WsClient.TIMEOUT.toMillis());
        Response response = handshake(socket, port, path, Map.of());
        if (response.status() != 101) {
            plain.close();
            throw new IOException("handshake refused: " + response.status() + " " + response.body());
        }
        return new StalledClient(plain, socket, frameBytes);
    }

    /** TLS over a connected socket the caller set up (buffer sizes): SNI and host name checked, not yet handshaken. */
    public static SSLSocket overTls(SSLContext tls, Socket plain, int port) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, "localhost", port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setServerNames(Tls.SNI_LOCALHOST);
        socket.setSSLParameters(parameters);
        return socket;
    }

    /** A TLS socket to localhost:port (SNI and host name checked), not yet handshaken. */
    public static SSLSocket connect(SSLContext tls, InetAddress localAddress, int port) throws IOException {
        SSLSocket socket = (SSLSocket) (localAddress == null
                ? tls.getSocketFactory().createSocket("localhost", port)
                : tls.getSocketFactory().createSocket("localhost", port, localAddress, 0));
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setServerNames(Tls.SNI_LOCALHOST);
        socket.setSSLParameters(parameters);
        socket.setSoTimeout((int) WsClient.TIMEOUT.toMillis());
        return socket;
    }

    /**
     * Sends the opening handshake and reads the answer's head (for a refusal, its body too); after a 101 the stream
     * is left at the first frame.
     */
    public static Response handshake(SSLSocket socket, int port, String path, Map<String, String> headers)
            throws IOException {
        return exchange(socket, request(port, path, headers));
    }

    /**
     * Writes {@code request} as it is (ISO-8859-1: every char one byte, so a test can send any byte) and reads the
     * answer's head, and for anything but 101 its body (by Content-Length, chunks, or until the server closes).
     */
    public static Response exchange(Socket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();

        InputStream in = socket.getInputStream();
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> responseHeaders = new LinkedHashMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            responseHeaders.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
        }
        if (status == 101) {
            return new Response(status, responseHeaders, "", null);
        }
        String length = responseHeaders.get("content-length");
        byte[] body = length != null ? in.readNBytes(Integer.parseInt(length))
                : "chunked".equalsIgnoreCase(responseHeaders.get("transfer-encoding")) ? chunks(in) : in.readAllBytes();
        return new Response(status, responseHeaders, new String(body, StandardCharsets.UTF_8), null);
    }

    /** The text of an opening handshake for {@code path} on localhost:port, with extra headers. */
    public static String request(int port, String path, Map<String, String> headers) {
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        StringBuilder request = new StringBuilder()
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: localhost:").append(port).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(nonce)).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        return request.append("\r\n").toString();
    }

    private static byte[] chunks(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line(in).split(";")[0].strip(), 16); size > 0;
                size = Integer.parseInt(line(in).split(";")[0].strip(), 16)) {
            body.write(in.readNBytes(size));
            line(in);
        }
        for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
            // trailers are not used by these tests
        }
        return body.toByteArray();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed in the middle of the HTTP answer");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** One unmasked, unfragmented server text frame. */
    private static String textFrame(InputStream in) throws IOException {
        int opcode = in.read() & 0x0F;
        long length = in.read() & 0x7F;
        if (length == 126) {
            length = (in.read() << 8) | in.read();
        } else if (length == 127) {
            throw new IOException("frame too long for a test");
        }
        byte[] payload = in.readNBytes((int) length);
        if (opcode != 1) {
            throw new IOException("expected a text frame, got opcode " + opcode);
        }
        return new String(payload, StandardCharsets.UTF_8);
    }
}
