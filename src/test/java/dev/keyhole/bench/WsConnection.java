package dev.keyhole.bench;

import dev.keyhole.testing.RawHandshake;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The benchmark's blocking WebSocket client (echo, handshakes, idle connections): one TLS socket, the opening
 * handshake of {@link RawHandshake}, frames built and parsed by hand with no per-message allocation on the hot path,
 * so that the load it puts on the two shared cores is as small as a client's can be.
 * Not a general client: it answers pings, treats a close frame as the end, and ignores extensions.
 */
final class WsConnection implements Closeable {

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] mask = new byte[4];
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;

    private WsConnection(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        ThreadLocalRandom.current().nextBytes(mask);
    }

    /** A TLS connection (full handshake) to localhost:port, without a WebSocket upgrade. */
    static SSLSocket tls(SSLContext context, int port) throws IOException {
        SSLSocket socket = RawHandshake.connect(context, null, port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000);
        socket.startHandshake();
        return socket;
    }

    /** A WebSocket connection to {@code path}: TLS, then the HTTP upgrade; fails unless the answer is 101. */
    static WsConnection open(SSLContext context, int port, String path) throws IOException {
        SSLSocket socket = tls(context, port);
        try {
            RawHandshake.Response answer = RawHandshake.handshake(socket, port, path,
                    Map.of("Origin", "https://localhost:" + port));
            if (answer.status() != 101) {
                throw new IOException("upgrade refused: " + answer.status() + " " + answer.body());
            }
            return new WsConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The same bytes the raw TLS floor server gets: a connection that is only TLS, framed like a WebSocket one. */
    static WsConnection raw(SSLContext context, int port) throws IOException {
        return new WsConnection(tls(context, port));
    }

    /** One masked text frame carrying {@code payload}, ready to be written (repeatedly). */
    byte[] textFrame(byte[] payload) {
        return Frames.masked(Frames.TEXT, payload, mask);
    }

    /** A masked close frame with status 1000. */
    byte[] closeFrame() {
        return Frames.close(mask);
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
     * Reads past the next data frame (the echo scenarios count frames; they do not look inside) and returns its
     * payload length. Pings are answered on the way. A close frame or the end of the stream throws.
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
            int opcode = b0 & 0x0F;
            int payloadAt = position + header;
            position += header + (int) length;
            if (opcode == Frames.PING) {
                pong(payloadAt, (int) length);
                continue;
            }
            if (opcode == Frames.CLOSE) {
                throw new EOFException("closed by the server");
            }
            return (int) length;
        }
    }

    /** Whether a complete frame header is already buffered (reading it would not block on the socket). */
    boolean hasBuffered() {
        return limit - position >= 2;
    }

    private void pong(int payloadAt, int length) throws IOException {
        byte[] payload = new byte[length];
        System.arraycopy(buffer, payloadAt, payload, 0, length);
        byte[] frame = Frames.masked(Frames.PONG, payload, mask);
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
        }
        int read = in.read(buffer, limit, buffer.length - limit);
        if (read < 0) {
            throw new EOFException("connection closed");
        }
        limit += read;
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
