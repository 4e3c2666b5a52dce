package dev.keyhole.web.standin;

/**
 * Stands in for Grizzly's {@code SSLConnectionContext} in {@code UpgradeTrimTest}: in a package of its own, so that,
 * as in Grizzly, its reset method can be called only once made accessible.
 */
public final class TlsContext {
    public Object lastOutputBuffer;

    Object resetLastOutputBuffer() {
        Object last = lastOutputBuffer;
        lastOutputBuffer = null;
        return last;
    }
}
