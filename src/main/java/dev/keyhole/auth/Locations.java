package dev.keyhole.auth;

import java.util.List;

/** The configured locations in matching order, and the rules for paths that none of them covers. */
public record Locations(List<Location> ordered, Location fallback) {

    public Locations {
        ordered = List.copyOf(ordered);
    }

    /** Rules for paths that no location covers: only the certificate requirement, nothing else. */
    public static Location fallback(boolean certificateRequired) {
        return new Location("default", List.of(), certificateRequired, List.of(), List.of());
    }

    /** The first location whose paths cover {@code path}, or the fallback. */
    public Location forPath(String path) {
        for (Location location : ordered) {
            if (location.covers(path)) {
                return location;
            }
        }
        return fallback;
    }
}
