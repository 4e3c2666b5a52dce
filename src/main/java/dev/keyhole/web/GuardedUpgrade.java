package dev.keyhole.web;

import dev.keyhole.log.LogLine;
import dev.keyhole.ws.FrameGuard;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Puts a {@link FrameGuard} between the network and a WebSocket container that upgrades through the Servlet API
 * ({@code HttpServletRequest.upgrade}, as Tyrus does on Payara): the container's own upgrade handler is created
 * here and given a connection whose input stream passes on only what the guard allows. Servlet API only, no
 * container classes. Containers that upgrade below the Servlet API (Undertow on WildFly) never call it; there the
 * endpoints' partial handlers see data as it arrives (docs/perimeter.md).
 */
public class GuardedUpgrade implements HttpUpgradeHandler {

    private static final Logger LOG = Logger.getLogger(GuardedUpgrade.class.getName());
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private HttpUpgradeHandler container;
    private FrameGuard guard;
    private UpgradeTrim trim = UpgradeTrim.NONE;

    /** For the servlet container, which creates this handler. */
    public GuardedUpgrade() {
    }

    /**
     * Upgrades {@code request} with the container's handler type behind a guard; the container gets its own handler
     * back as if it had upgraded directly. If that handler cannot be created here, the upgrade goes on unguarded
     * (logged once): the endpoints' own limits still apply.
     */
    static <T extends HttpUpgradeHandler> T upgrade(Upgrader request, Class<T> type, FrameGuard guard,
            UpgradeTrim trim) throws IOException, jakarta.servlet.ServletException {
        T handler;
        try {
            handler = type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (REPORTED.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, LogLine.event("ws.frame-guard").with("installed", false)
                        .with("handler", type.getName()).with("error", e.getClass().getName()).toString(), e);
            }
            return request.upgrade(type);
        }
        GuardedUpgrade guarded = request.upgrade(GuardedUpgrade.class);
        guarded.container = handler;
        guarded.guard = guard;
        guarded.trim = trim;
        if (REPORTED.compareAndSet(false, true)) {
            LOG.info(LogLine.event("ws.frame-guard").with("installed", true).with("handler", type.getName()).toString());
        }
        return handler;
    }

    /** The upgrade of the request being wrapped. */
    @FunctionalInterface
    interface Upgrader {
        <T extends HttpUpgradeHandler> T upgrade(Class<T> type) throws IOException, jakarta.servlet.ServletException;
    }

    @Override
    public void init(WebConnection connection) {
        container.init(new GuardedConnection(connection, guard, trim));
        trim.afterUpgrade(container);
    }

    @Override
    public void destroy() {
        container.destroy();
    }

    private static final class GuardedConnection implements WebConnection {
        private final WebConnection connection;
        private final GuardedInput input;
        private final ServletOutputStream output;

        GuardedConnection(WebConnection connection, FrameGuard guard, UpgradeTrim trim) {
            this.connection = connection;
            try {
                this.input = new GuardedInput(connection.getInputStream(), guard);
                this.output = trim.trimsWrites() ? new TrimmedOutput(connection.getOutputStream(), trim)
                        : connection.getOutputStream();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public ServletInputStream getInputStream() {
            return input;
        }

        @Override
        public ServletOutputStream getOutputStream() {
            return output;
        }

        @Override
        public void close() throws IOException {
            try {
                connection.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    /**
     * The client's bytes as the guard allows them. Once it has tripped, what arrives is read and dropped (reads
     * return 0), so the container neither buffers it nor stops reading before it closes the connection.
     */
    private static final class GuardedInput extends ServletInputStream {
        private final ServletInputStream in;
        private final FrameGuard guard;

        GuardedInput(ServletInputStream in, FrameGuard guard) {
            this.in = in;
            this.guard = guard;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int read = in.read(bytes, offset, length);
            if (read <= 0) {
                return read;
            }
            return guard.inspect(bytes, offset, read);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read <= 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** The container's output stream; after each flush, Grizzly lets go of the TLS buffer it encrypted into. */
    private static final class TrimmedOutput extends ServletOutputStream {
        private final ServletOutputStream out;
        private final UpgradeTrim trim;

        TrimmedOutput(ServletOutputStream out, UpgradeTrim trim) {
            this.out = out;
            this.trim = trim;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
            trim.afterFlush();
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
