package dev.keyhole.bench;

import dev.keyhole.testing.RawHandshake;
import dev.keyhole.testing.Tls;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * A WebSocket connection over a non-blocking channel and an {@link SSLEngine}, for the fan-out scenarios: a
 * thousand members are read by two selector threads, which take every record that has arrived in one read, instead
 * of a thousand blocked threads woken once per message (which cost the client as much CPU as the server).
 * The handshake and the upgrade are done blocking, before the channel is handed to a selector.
 */
final class NioConnection {

    /** Receives each data frame's payload (valid only during the call). */
    interface FrameSink {
        void frame(ByteBuffer payload);
    }

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final ByteBuffer netIn;
    private final ByteBuffer appIn;
    private final ByteBuffer netOut;
    private final byte[] mask = new byte[4];

    private NioConnection(SocketChannel channel, SSLEngine engine) {
        this.channel = channel;
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet * 4);
        this.appIn = ByteBuffer.allocate(Math.max(engine.getSession().getApplicationBufferSize() * 4, 64 * 1024));
        this.netOut = ByteBuffer.allocate(packet * 4);
        ThreadLocalRandom.current().nextBytes(mask);
    }

    /**
     * Connects, handshakes, upgrades to a WebSocket at {@code path} (asking for {@code subprotocol} unless it is
     * null), and leaves the channel non-blocking.
     */
    static NioConnection open(SSLContext context, int port, String path, String subprotocol) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(new InetSocketAddress("127.0.0.1", port));
            SSLEngine engine = context.createSSLEngine("localhost", port);
            engine.setUseClientMode(true);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(Tls.SNI_LOCALHOST);
            engine.setSSLParameters(parameters);
            NioConnection connection = new NioConnection(channel, engine);
            connection.handshake();
            connection.upgrade(port, path, subprotocol);
            channel.configureBlocking(false);
            return connection;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    SocketChannel channel() {
        return channel;
    }

    private void handshake() throws IOException {
        engine.beginHandshake();
        ByteBuffer empty = ByteBuffer.allocate(0);
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    netOut.clear();
                    engine.wrap(empty, netOut);
                    netOut.flip();
                    writeFully(netOut);
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    netIn.flip();
                    SSLEngineResult result = engine.unwrap(netIn, appIn);
                    netIn.compact();
                    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && channel.read(netIn) < 0) {
                        throw new EOFException("closed during the handshake");
                    }
                }
                case NEED_TASK -> {
                    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                        task.run();
                    }
                }
                default -> {
                    return;
                }
            }
        }
    }

    private void upgrade(int port, String path, String subprotocol) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Origin", "https://localhost:" + port);
        if (subprotocol != null) {
            headers.put("Sec-WebSocket-Protocol", subprotocol);
        }
        send(RawHandshake.request(port, path, headers).getBytes(StandardCharsets.ISO_8859_1));
        while (true) {
            String received = new String(appIn.array(), 0, appIn.position(), StandardCharsets.ISO_8859_1);
            int end = received.indexOf("\r\n\r\n");
            if (end >= 0) {
                if (!received.startsWith("HTTP/1.1 101")) {
                    throw new IOException("upgrade refused: " + received.lines().findFirst().orElse(""));
                }
                appIn.flip();
                appIn.position(end + 4);
                appIn.compact();
                return;
            }
            if (channel.read(netIn) < 0) {
                throw new EOFException("closed during the upgrade");
            }
            unwrapAll();
        }
    }

    /**
     * Reads what has arrived and hands every complete data frame to {@code sink}; answers pings.
     *
     * @throws EOFException when the server closed the connection (a close frame or the end of the stream)
     */
    void readAvailable(FrameSink sink) throws IOException {
        int read = channel.read(netIn);
        if (read < 0) {
            throw new EOFException("connection closed");
        }
        boolean more;
        do {
            more = unwrapAll();
            parseFrames(sink);
        } while (more);
    }

    private void parseFrames(FrameSink sink) throws IOException {
        appIn.flip();
        try {
            while (appIn.remaining() >= 2) {
                int start = appIn.position();
                int b0 = appIn.get(start) & 0xFF;
                int b1 = appIn.get(start + 1) & 0x7F;
                int header = 2;
                long length = b1;
                if (b1 == 126) {
                    if (appIn.remaining() < 4) {
                        break;
                    }
                    length = appIn.getShort(start + 2) & 0xFFFF;
                    header = 4;
                } else if (b1 == 127) {
                    if (appIn.remaining() < 10) {
                        break;
                    }
                    length = appIn.getLong(start + 2);
                    header = 10;
                }
                if (header + length > appIn.capacity()) {
                    throw new IOException("frame of " + length + " bytes is larger than the benchmark reads");
                }
                if (appIn.remaining() < header + length) {
                    break;
                }
                int opcode = b0 & 0x0F;
                ByteBuffer payload = appIn.duplicate();
                payload.position(start + header).limit(start + header + (int) length);
                appIn.position(start + header + (int) length);
                if (opcode == Frames.CLOSE) {
                    throw new EOFException("closed by the server");
                } else if (opcode == Frames.PING) {
                    byte[] data = new byte[payload.remaining()];
                    payload.get(data);
                    send(Frames.masked(Frames.PONG, data, mask));
                } else if (opcode == Frames.TEXT) {
                    sink.frame(payload);
                }
            }
        } finally {
            appIn.compact();
        }
    }

    /** Decrypts the complete records that have arrived; true when it stopped because the plaintext buffer is full. */
    private boolean unwrapAll() throws SSLException {
        netIn.flip();
        try {
            while (netIn.hasRemaining()) {
                SSLEngineResult result = engine.unwrap(netIn, appIn);
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    return true;
                }
                if (result.getStatus() != SSLEngineResult.Status.OK || result.bytesConsumed() == 0) {
                    return false;
                }
            }
            return false;
        } finally {
            netIn.compact();
        }
    }

    /** A masked text frame. */
    byte[] textFrame(byte[] payload) {
        return Frames.masked(Frames.TEXT, payload, mask);
    }

    /** Encrypts and writes {@code data} completely (from any thread; writers take turns). */
    synchronized void send(byte[] data) throws IOException {
        ByteBuffer app = ByteBuffer.wrap(data);
        while (app.hasRemaining()) {
            netOut.clear();
            SSLEngineResult result = engine.wrap(app, netOut);
            if (result.getStatus() != SSLEngineResult.Status.OK) {
                throw new SSLException("cannot encrypt: " + result.getStatus());
            }
            netOut.flip();
            writeFully(netOut);
        }
    }

    private void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
                Thread.onSpinWait();
            }
        }
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
