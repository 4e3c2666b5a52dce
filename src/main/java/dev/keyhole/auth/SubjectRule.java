package dev.keyhole.auth;

import dev.keyhole.net.AddressRange;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;

/**
 * One rule about whom a certificate names, as in Apache's {@code Require} on the certificate:
 * <ul>
 *   <li>{@code dn:CN=alice,O=Example} — exactly this subject, from any configured CA (compared as distinguished
 *       names, not as text); {@code dn:CN=alice,O=Example|CN=Example Issuing CA} — exactly this subject from exactly
 *       this issuer, which is what identifies one person when several CAs are configured;</li>
 *   <li>{@code cn:REGEX} — a common name that the regular expression matches as a whole;</li>
 *   <li>{@code san:email:GLOB}, {@code san:dns:GLOB}, {@code san:uri:GLOB}, {@code san:ip:ADDRESS} — a subject
 *       alternative name ({@code *} in a glob matches any run of characters; e-mail and DNS compare without
 *       regard to case);</li>
 *   <li>{@code *} — any subject that the CA certified.</li>
 * </ul>
 */
public sealed interface SubjectRule {

    boolean admits(ClientIdentity identity);

    /** Parses one rule; the message of the exception says what is wrong. */
    static SubjectRule parse(String text) {
        String rule = text.strip();
        if (rule.equals("*")) {
            return new Anyone();
        }
        if (rule.startsWith("dn:")) {
            return exactSubject(rule, rule.substring(3));
        }
        if (rule.startsWith("cn:")) {
            try {
                return new CommonName(Pattern.compile(rule.substring(3).strip()));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + rule + "' does not hold a valid regular expression");
            }
        }
        if (rule.startsWith("san:")) {
            String san = rule.substring(4).strip();
            int colon = san.indexOf(':');
            String type = colon < 0 ? "" : san.substring(0, colon).toLowerCase(Locale.ROOT);
            if (!(type.equals("email") || type.equals("dns") || type.equals("uri") || type.equals("ip"))
                    || colon == san.length() - 1) {
                throw new IllegalArgumentException("'" + rule + "' is not san:email:, san:dns:, san:uri: or san:ip: with a value");
            }
            return AlternativeName.of(type, san.substring(colon + 1).strip());
        }
        throw new IllegalArgumentException("'" + rule + "' is not a subject rule (dn:…, cn:…, san:…:… or *)");
    }

    /**
     * {@code SUBJECT|ISSUER} or {@code SUBJECT}: split at the last {@code |} only when what follows it is a DN, so a
     * subject with a {@code |} in a value still reads as a subject alone.
     */
    private static SubjectRule exactSubject(String rule, String text) {
        int bar = text.lastIndexOf('|');
        if (bar >= 0) {
            try {
                X500Principal issuer = new X500Principal(text.substring(bar + 1).strip());
                return new ExactSubject(new X500Principal(text.substring(0, bar).strip()), issuer);
            } catch (IllegalArgumentException notAnIssuer) {
                // the whole text is the subject
            }
        }
        try {
            return new ExactSubject(new X500Principal(text.strip()), null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + rule + "' does not hold a valid distinguished name");
        }
    }

    /** Any certified subject. */
    record Anyone() implements SubjectRule {
        @Override
        public boolean admits(ClientIdentity identity) {
            return true;
        }
    }

    /** Exactly one subject DN, from any configured CA ({@code issuer} null) or from exactly one issuer. */
    record ExactSubject(X500Principal subject, X500Principal issuer) implements SubjectRule {
        @Override
        public boolean admits(ClientIdentity identity) {
            return subject.equals(new X500Principal(identity.subject()))
                    && (issuer == null || issuer.equals(new X500Principal(identity.issuer())));
        }

        /** Whether the rule names the issuer too. */
        public boolean bindsIssuer() {
            return issuer != null;
        }
    }

    /** A common name matching a regular expression as a whole. */
    record CommonName(Pattern pattern) implements SubjectRule {
        @Override
        public boolean admits(ClientIdentity identity) {
            return pattern.matcher(identity.commonName()).matches();
        }
    }

    /** A subject alternative name of one type: a glob for e-mail, DNS and URI, an address for IP. */
    record AlternativeName(String type, String value, Pattern glob) implements SubjectRule {

        static AlternativeName of(String type, String value) {
            String regex = Arrays.stream(value.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
            int flags = type.equals("uri") ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
            if (type.equals("ip") && AddressRange.literal(value).isEmpty()) {
                throw new IllegalArgumentException("'san:ip:" + value + "' does not hold an IP address");
            }
            return new AlternativeName(type, value, Pattern.compile(regex, flags));
        }

        @Override
        public boolean admits(ClientIdentity identity) {
            String prefix = type + ":";
            return identity.subjectAlternativeNames().stream()
                    .filter(name -> name.startsWith(prefix))
                    .map(name -> name.substring(prefix.length()))
                    .anyMatch(this::matches);
        }

        private boolean matches(String actual) {
            if (type.equals("ip")) {
                return AddressRange.literal(actual).map(bytes -> Arrays.equals(bytes, AddressRange.literal(value).orElseThrow()))
                        .orElse(false);
            }
            return glob.matcher(actual).matches();
        }
    }
}
