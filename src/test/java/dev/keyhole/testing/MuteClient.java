package dev.keyhole.testing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A WebSocket client that opens a connection and then never sends another byte: it answers no ping and no close,
 * as a crashed client or a half-open connection does. It reads and records every frame the server sends, so a
 * test can see the pings, and the close frame that gives up on it.
 */
public final class MuteClient implements AutoCloseable {

    /** A frame from the server. */
    public record Frame(int opcode, byte[] payload) {
        public static final int TEXT = 1;
        public static final int CLOSE = 8;
        public static final int PING = 9;

        /** For a close frame: its status code. */
        public int closeCode() {
            return payload.length < 2 ? 1005 : ByteBuffer.wrap(payload).getShort() & 0xFFFF;
        }

        /** For a close frame: its reason. */
        public String closeReason() {
            return payload.length <= 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    private static final Frame END = new Frame(-1, new byte[0]);

    private final SSLSocket socket;
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

    private MuteClient(SSLSocket socket) {
        this.socket = socket;
        Thread reader = new Thread(this::read, "mute websocket client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens a WebSocket at {@code path} (with extra handshake headers); fails unless the server answers 101. */
    public static MuteClient connect(SSLContext tls, int port, String path, Map<String, String> headers) throws IOException {
        SSLSocket socket = RawHandshake.connect(tls, null, port);
        socket.setSoTimeout(0); // reads block until the server sends or closes; the test waits with timeouts
        RawHandshake.Response response = RawHandshake.handshake(socket, port, path, headers);
        if (response.status() != 101) {
            socket.close();
            throw new IOException("handshake refused: " + response.status() + " " + response.body());
        }
        return new MuteClient(socket);
    }

    private void read() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int first = in.readUnsignedByte();
                int second = in.readUnsignedByte() & 0x7F;
                long length = second == 126 ? in.readUnsignedShort() : second == 127 ? in.readLong() : second;
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                frames.add(new Frame(first & 0x0F, payload));
            }
        } catch (EOFException | SocketException ended) {
            // the server (or this test) closed the connection
        } catch (IOException e) {
            // anything else also ends the connection for this client
        } finally {
            frames.add(END);
        }
    }

    /**
     * The next frame with this opcode, skipping others; fails the test if the connection ends or none arrives in
     * time.
     */
    public Frame await(int opcode, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (long left = unit.toNanos(timeout); left > 0; left = deadline - System.nanoTime()) {
            Frame frame = frames.poll(left, TimeUnit.NANOSECONDS);
            if (frame == null) {
                break;
            }
            if (frame == END) {
                frames.add(END);
                throw new AssertionError("connection ended before a frame with opcode " + opcode);
            }
            if (frame.opcode() == opcode) {
                return frame;
            }
        }
        throw new AssertionError("no frame with opcode " + opcode + " within " + timeout + " " + unit);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
