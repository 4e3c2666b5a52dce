package dev.keyhole.auth;

import dev.keyhole.net.AddressRange;

import java.util.List;

/**
 * A named set of paths and the rules for them, like an Apache {@code <Location>} block: whether a client
 * certificate is required there, whose certificates are admitted and from which addresses.
 *
 * @param name the location's name, e.g. {@code chat}
 * @param paths the path patterns it covers
 * @param certificateRequired whether a request without a certificate is rejected
 * @param subjects the subjects admitted (empty: any subject the CA certified)
 * @param addresses the client addresses admitted (empty: any address)
 * @param roles the roles of which an identity needs one (empty: no role needed)
 * @param anonymousAddresses where a request without a certificate is admitted although the location requires one
 *        (a health check from loopback; empty: nowhere)
 */
public record Location(String name, List<PathPattern> paths, boolean certificateRequired, List<SubjectRule> subjects,
        List<AddressRange> addresses, List<String> roles, List<AddressRange> anonymousAddresses) {

    public Location {
        paths = List.copyOf(paths);
        subjects = List.copyOf(subjects);
        addresses = List.copyOf(addresses);
        roles = List.copyOf(roles);
        anonymousAddresses = List.copyOf(anonymousAddresses);
    }

    /** A location without role rules and without anonymous addresses. */
    public Location(String name, List<PathPattern> paths, boolean certificateRequired, List<SubjectRule> subjects,
            List<AddressRange> addresses) {
        this(name, paths, certificateRequired, subjects, addresses, List.of(), List.of());
    }

    /** Whether a request without a certificate from {@code address} may go on. */
    public boolean admitsWithoutCertificate(String address) {
        return !certificateRequired || anonymousAddresses.stream().anyMatch(range -> range.contains(address));
    }

    /** Whether the identity has one of the roles the location needs (always, when it needs none). */
    public boolean grants(ClientIdentity identity) {
        return roles.isEmpty() || roles.stream().anyMatch(identity.roles()::contains);
    }

    public boolean covers(String path) {
        return paths.stream().anyMatch(pattern -> pattern.matches(path));
    }

    public boolean admits(ClientIdentity identity) {
        return subjects.isEmpty() || subjects.stream().anyMatch(rule -> rule.admits(identity));
    }

    public boolean admitsAddress(String address) {
        return addresses.isEmpty() || addresses.stream().anyMatch(range -> range.contains(address));
    }
}
