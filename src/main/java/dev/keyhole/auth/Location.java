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
 */
public record Location(String name, List<PathPattern> paths, boolean certificateRequired, List<SubjectRule> subjects,
        List<AddressRange> addresses) {

    public Location {
        paths = List.copyOf(paths);
        subjects = List.copyOf(subjects);
        addresses = List.copyOf(addresses);
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
