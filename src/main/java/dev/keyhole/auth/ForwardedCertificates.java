package dev.keyhole.auth;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads client certificates that a TLS-terminating proxy forwards in a header, in the forms proxies produce:
 * <ul>
 *   <li>RFC 9440 {@code Client-Cert} and {@code Client-Cert-Chain}: {@code :BASE64-DER:}, comma-separated for a
 *       chain;</li>
 *   <li>PEM with URL escapes (nginx {@code $ssl_client_escaped_cert});</li>
 *   <li>PEM whose line breaks became spaces (Apache {@code RequestHeader set … "%{SSL_CLIENT_CERT}s"});</li>
 *   <li>base64 DER without markers.</li>
 * </ul>
 * An empty value and Apache's {@code (null)} mean that the client presented no certificate.
 */
public final class ForwardedCertificates {

    /** Longer header values are refused: a certificate chain this long is not a client's. */
    static final int MAX_LENGTH = 32 * 1024;

    private static final Pattern STRUCTURED = Pattern.compile(":([A-Za-z0-9+/=]*):");
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]*)-----END CERTIFICATE-----");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/=\\s]+");

    private ForwardedCertificates() {
    }

    /**
     * The certificates in a header value, in the order given (the client certificate first).
     *
     * @throws IllegalArgumentException when the value is present but holds no valid certificate
     */
    public static List<X509Certificate> parse(String headerValue) {
        if (headerValue == null) {
            return List.of();
        }
        String value = headerValue.strip();
        if (value.isEmpty() || value.equals("(null)")) {
            return List.of();
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("certificate header longer than " + MAX_LENGTH + " characters");
        }
        List<byte[]> ders = new ArrayList<>();
        if (value.startsWith(":")) {
            for (String item : value.split(",")) {
                Matcher matcher = STRUCTURED.matcher(item.strip());
                if (!matcher.matches()) {
                    throw new IllegalArgumentException("not an RFC 9440 byte sequence");
                }
                ders.add(decode(matcher.group(1)));
            }
        } else {
            String pem = value.contains("%") ? percentDecode(value) : value;
            Matcher matcher = PEM.matcher(pem);
            while (matcher.find()) {
                ders.add(decode(matcher.group(1)));
            }
            if (ders.isEmpty()) {
                if (!BASE64.matcher(pem).matches()) {
                    throw new IllegalArgumentException("neither PEM nor base64");
                }
                ders.add(decode(pem));
            }
        }
        List<X509Certificate> certificates = new ArrayList<>();
        for (byte[] der : ders) {
            certificates.add(certificate(der));
        }
        return certificates;
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid base64");
        }
    }

    private static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalArgumentException("not an X.509 certificate");
        }
    }

    /** %XX escapes only; '+' stays '+', because it is a base64 character. */
    static String percentDecode(String value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '%') {
                bytes.write(c);
                continue;
            }
            int high = i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
            int low = i + 2 < value.length() ? Character.digit(value.charAt(i + 2), 16) : -1;
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException("invalid percent escape");
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }
}
