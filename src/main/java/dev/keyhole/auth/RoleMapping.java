package dev.keyhole.auth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Which roles a subject has: a role applies when any of its subject rules admits the identity. */
public final class RoleMapping {

    private final Map<String, List<SubjectRule>> rules;

    public RoleMapping(Map<String, List<SubjectRule>> rules) {
        this.rules = new LinkedHashMap<>();
        rules.forEach((role, subjects) -> this.rules.put(role, List.copyOf(subjects)));
    }

    /** The roles of an identity; the identity's own roles are not consulted. */
    public Set<String> rolesOf(ClientIdentity identity) {
        Set<String> roles = new TreeSet<>();
        rules.forEach((role, subjects) -> {
            if (subjects.stream().anyMatch(rule -> rule.admits(identity))) {
                roles.add(role);
            }
        });
        return roles;
    }

    public Set<String> roles() {
        return rules.keySet();
    }
}
