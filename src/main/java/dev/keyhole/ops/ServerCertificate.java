package dev.keyhole.ops;

import dev.keyhole.log.LogLine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * When the certificate of the listener that serves Keyhole expires. Neither server tells an application which
 * certificate its listener presents, so this asks the listener itself: a TLS handshake with the address and port a
 * metrics request came in on, at most every {@link #RECHECK}, reading the certificate it presents (and trusting
 * nothing: the connection only looks, it sends no data). A renewed certificate shows up within the recheck
 * interval, whichever way the server loaded it.
 */
final class ServerCertificate {

    private static final Logger LOG = Logger.getLogger(ServerCertificate.class.getName());
    static final Duration RECHECK = Duration.ofMinutes(5);
    private static final int TIMEOUT_MILLIS = 2000;

    private final Clock clock;
    private volatile Instant notAfter;
    private volatile Instant checkedAt = Instant.EPOCH;
    private volatile String checked;

    ServerCertificate(Clock clock) {
        this.clock = clock;
    }

    /** A request arrived over TLS at this address and port: look at the certificate there, unless seen recently. */
    void observe(String localAddress, int localPort) {
        String target = localAddress + " " + localPort;
        Instant now = clock.instant();
        if (target.equals(checked) && now.isBefore(checkedAt.plus(RECHECK))) {
            return;
        }
        synchronized (this) {
            if (target.equals(checked) && now.isBefore(checkedAt.plus(RECHECK))) {
                return;
            }
            checkedAt = now;
            checked = target;
            try {
                notAfter = presented(localAddress, localPort).getNotAfter().toInstant();
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                LOG.warning(LogLine.event("ops.server-certificate-unknown").with("port", localPort)
                        .with("error", e.getClass().getName()).toString());
            }
        }
    }

    /** Seconds until the listener's certificate expires (negative: expired), or NaN before it was seen. */
    double secondsLeft() {
        Instant end = notAfter;
        return end == null ? Double.NaN : Duration.between(clock.instant(), end).toMillis() / 1000.0;
    }

    private static X509Certificate presented(String address, int port) throws IOException, GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new LookOnly()}, null);
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), TIMEOUT_MILLIS);
            plain.setSoTimeout(TIMEOUT_MILLIS);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, address, port, false)) {
                socket.startHandshake();
                Certificate[] chain = socket.getSession().getPeerCertificates();
                return (X509Certificate) chain[0];
            }
        }
    }

    /**
     * Accepts whatever the listener presents: the connection is made only to read the listener's certificate, never
     * to send or believe anything over it.
     */
    private static final class LookOnly extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
