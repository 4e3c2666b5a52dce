package dev.keyhole.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A hostile client for message-size limits: after a hand-written handshake it streams one huge message — in many
 * fragments, or as one frame whose header announces the whole length — as fast as the server takes it, while a
 * reader watches for the server's close frame. It reports the close code and how many bytes it had written when the
 * close arrived, so a test can show the server stopped it near the limit rather than after buffering the message.
 * Its send buffer is small, so "written" is close to what the server has read.
 */
public final class FloodClient {

    /** How the message is put on the wire. */
    public enum Shape {
        /** A first frame and continuation frames of {@code chunk} bytes each. */
        FRAGMENTED,
        /** One frame whose header announces the whole length; its payload follows in chunks. */
        ONE_FRAME
    }

    /** The opcode of the message. */
    public enum Kind {
        TEXT(1), BINARY(2);

        final int opcode;

        Kind(int opcode) {
            this.opcode = opcode;
        }
    }

    /**
     * What happened.
     *
     * @param closeCode the server's close code, or -1 when the connection ended without a close frame
     * @param writtenAtClose payload bytes written when the close frame (or the end of the connection) was seen
     */
    public record Outcome(int closeCode, String reason, long writtenAtClose) {
    }

    private static final int SEND_BUFFER = 64 * 1024;

    private FloodClient() {
    }

    /**
     * Sends a message of {@code length} payload bytes to {@code path}, stopping as soon as the server closes.
     *
     * @param chunk the fragment size (FRAGMENTED) or write size (ONE_FRAME)
     */
    public static Outcome flood(SSLContext tls, int port, String path, Kind kind, Shape shape, long length, int chunk)
            throws IOException, InterruptedException {
        Socket plain = new Socket();
        plain.setSendBufferSize(SEND_BUFFER);
        plain.connect(new InetSocketAddress("localhost", port), (int) WsClient.TIMEOUT.toMillis());
        SSLSocket socket = RawHandshake.overTls(tls, plain, port);
        socket.setSoTimeout((int) WsClient.TIMEOUT.toMillis() * 3);
        try {
            RawHandshake.Response response = RawHandshake.handshake(socket, port, path, Map.of());
            if (response.status() != 101) {
                throw new IOException("handshake refused: " + response.status() + " " + response.body());
            }
            AtomicLong written = new AtomicLong();
            CompletableFuture<Outcome> closed = new CompletableFuture<>();
            Thread reader = new Thread(() -> read(socket, written, closed), "flood reader");
            reader.setDaemon(true);
            reader.start();
            // The writer may block for good once the server stops reading: it has a thread of its own, and closing
            // the socket below ends it.
            Thread writer = new Thread(() -> {
                try {
                    write(socket.getOutputStream(), kind, shape, length, chunk, written, closed);
                } catch (IOException stopped) {
                    // the server closed or reset the connection: the reader reports how
                }
            }, "flood writer");
            writer.setDaemon(true);
            writer.start();
            try {
                return closed.get(WsClient.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("no close from the server after " + written.get() + " bytes", e);
            }
        } finally {
            // The reader may have closed the connection already, when the server's close came (a closed socket
            // refuses setSoLinger): then there is nothing left to reset.
            if (!plain.isClosed()) {
                try {
                    plain.setSoLinger(true, 0);
                } catch (java.net.SocketException closedMeanwhile) {
                    // closed between the check and the call
                }
            }
            plain.close();
        }
    }

    private static void write(OutputStream out, Kind kind, Shape shape, long length, int chunk, AtomicLong written,
            CompletableFuture<Outcome> closed) throws IOException {
        byte[] payload = new byte[chunk];
        Arrays.fill(payload, kind == Kind.TEXT ? (byte) 'a' : 0);
        if (shape == Shape.ONE_FRAME) {
            out.write(header(true, kind.opcode, length));
        }
        boolean first = true;
        for (long sent = 0; sent < length && !closed.isDone(); first = false) {
            int size = (int) Math.min(chunk, length - sent);
            if (shape == Shape.FRAGMENTED) {
                out.write(header(sent + size == length, first ? kind.opcode : 0, size));
            }
            out.write(payload, 0, size);
            sent += size;
            written.set(sent);
        }
        out.flush();
    }

    /** A client frame header: masked, with an all-zero key, so the payload goes as it is. */
    private static byte[] header(boolean fin, int opcode, long length) {
        byte first = (byte) ((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            return new byte[] {first, (byte) (0x80 | length), 0, 0, 0, 0};
        }
        if (length < 65536) {
            return new byte[] {first, (byte) (0x80 | 126), (byte) (length >> 8), (byte) length, 0, 0, 0, 0};
        }
        byte[] header = new byte[14];
        header[0] = first;
        header[1] = (byte) (0x80 | 127);
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (length >>> (56 - 8 * i));
        }
        return header;
    }

    /** Reads server frames until a close frame (or the end of the stream). */
    private static void read(SSLSocket socket, AtomicLong written, CompletableFuture<Outcome> closed) {
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                int first = in.read();
                int second = in.read();
                if (first < 0 || second < 0) {
                    closed.complete(new Outcome(-1, "", written.get()));
                    return;
                }
                long length = second & 0x7F;
                if (length == 126) {
                    length = ((long) in.read() << 8) | in.read();
                } else if (length == 127) {
                    length = 0;
                    for (int i = 0; i < 8; i++) {
                        length = (length << 8) | in.read();
                    }
                }
                byte[] payload = in.readNBytes((int) Math.min(length, 1 << 20));
                if ((first & 0x0F) == 8) {
                    long at = written.get();
                    int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                    String reason = payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                    closed.complete(new Outcome(code, reason, at));
                    return;
                }
            }
        } catch (IOException e) {
            closed.complete(new Outcome(-1, e.getClass().getSimpleName(), written.get()));
        }
    }
}
