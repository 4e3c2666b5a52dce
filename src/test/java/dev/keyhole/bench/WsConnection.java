package dev.keyhole.bench;

import dev.keyhole.testing.Tls;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The benchmark's WebSocket client: one blocking TLS socket, frames built and parsed by hand, no per-message
 * allocation on the hot path, so that the load it puts on the two shared cores is as small as a client's can be.
 * Not a general client: it answers pings, treats a close frame as the end, and ignores extensions.
 */
final class WsConnection implements Closeable {

    static final int TEXT = 0x1;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] mask = new byte[4];
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    /** The opcode of the frame {@link #readFrame()} returned. */
    private int opcode;
    private int payloadOffset;

    private WsConnection(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        ThreadLocalRandom.current().nextBytes(mask);
    }

    /** A TLS connection (full handshake) to 127.0.0.1:port, without a WebSocket upgrade. */
    static SSLSocket tls(SSLSocketFactory factory, int port) throws IOException {
        SSLSocket socket = (SSLSocket) factory.createSocket();
        socket.setTcpNoDelay(true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(Tls.SNI_LOCALHOST);
        socket.setSSLParameters(parameters);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(60_000);
        socket.startHandshake();
        return socket;
    }

    /** A WebSocket connection to {@code path}: TLS, then the HTTP upgrade; fails unless the answer is 101. */
    static WsConnection open(SSLSocketFactory factory, int port, String path) throws IOException {
        SSLSocket socket = tls(factory, port);
        try {
            WsConnection connection = new WsConnection(socket);
            connection.upgrade(port, path);
            return connection;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The same bytes the raw TLS floor server gets: a connection that is only TLS, framed like a WebSocket one. */
    static WsConnection raw(SSLSocketFactory factory, int port) throws IOException {
        return new WsConnection(tls(factory, port));
    }

    private void upgrade(int port, String path) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\nHost: localhost:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\nOrigin: https://localhost:" + port + "\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        int end = -1;
        while (end < 0) {
            fill();
            end = indexOf(buffer, position, limit, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        String head = new String(buffer, position, end - position, StandardCharsets.ISO_8859_1);
        position = end + 4;
        if (!head.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
        }
    }

    /** One masked text frame carrying {@code payload}, ready to be written (repeatedly). */
    byte[] textFrame(byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
        byte[] frame = new byte[header + 4 + length];
        frame[0] = (byte) (0x80 | TEXT);
        if (length < 126) {
            frame[1] = (byte) (0x80 | length);
        } else if (length < 65536) {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(mask, 0, frame, header, 4);
        for (int i = 0; i < length; i++) {
            frame[header + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        return frame;
    }

    /** A masked close frame with status 1000. */
    byte[] closeFrame() {
        byte[] frame = textFrame(new byte[] {0x03, (byte) 0xE8});
        frame[0] = (byte) (0x80 | CLOSE);
        return frame;
    }

    /** Writes from the connection's one writing thread (its reader, which also answers pings). */
    void write(byte[] bytes, int length) throws IOException {
        out.write(bytes, 0, length);
    }

    /** Writes from a thread other than the reader: serialized with the reader's pongs. */
    void writeShared(byte[] frame) throws IOException {
        synchronized (out) {
            out.write(frame);
        }
    }

    /**
     * Reads the next data frame and returns its payload length; the payload is in {@link #buffer()} from
     * {@link #payloadOffset()}. Pings are answered on the way. A close frame or the end of the stream throws.
     */
    int readFrame() throws IOException {
        while (true) {
            need(2);
            int b0 = buffer[position] & 0xFF;
            int b1 = buffer[position + 1] & 0xFF;
            boolean masked = (b1 & 0x80) != 0;
            long length = b1 & 0x7F;
            int header = 2;
            if (length == 126) {
                need(4);
                length = ((buffer[position + 2] & 0xFF) << 8) | (buffer[position + 3] & 0xFF);
                header = 4;
            } else if (length == 127) {
                need(10);
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (buffer[position + 2 + i] & 0xFF);
                }
                header = 10;
            }
            if (masked) {
                header += 4;
            }
            if (header + length > buffer.length) {
                throw new IOException("frame of " + length + " bytes is larger than the benchmark reads");
            }
            need(header + (int) length);
            opcode = b0 & 0x0F;
            payloadOffset = position + header;
            position += header + (int) length;
            if (opcode == PING) {
                pong((int) length);
                continue;
            }
            if (opcode == CLOSE) {
                throw new EOFException("closed by the server");
            }
            return (int) length;
        }
    }

    /** Whether a complete frame header is already buffered (reading it would not block on the socket). */
    boolean hasBuffered() {
        return limit - position >= 2;
    }

    byte[] buffer() {
        return buffer;
    }

    int payloadOffset() {
        return payloadOffset;
    }

    SSLSocket socket() {
        return socket;
    }

    private void pong(int length) throws IOException {
        byte[] payload = new byte[length];
        System.arraycopy(buffer, payloadOffset, payload, 0, length);
        byte[] frame = textFrame(payload);
        frame[0] = (byte) (0x80 | PONG);
        synchronized (out) {
            out.write(frame);
        }
    }

    private void need(int bytes) throws IOException {
        while (limit - position < bytes) {
            fill();
        }
    }

    private void fill() throws IOException {
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            limit -= position;
            position = 0;
            payloadOffset = 0;
        }
        int read = in.read(buffer, limit, buffer.length - limit);
        if (read < 0) {
            throw new EOFException("connection closed");
        }
        limit += read;
    }

    private static int indexOf(byte[] data, int from, int to, byte[] pattern) {
        outer:
        for (int i = from; i <= to - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
