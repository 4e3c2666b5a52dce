package dev.keyhole.ops;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a set of health checks, in the shape of MicroProfile Health ({@code {"status":"UP","checks":[...]}}):
 * up when every check is up.
 */
record Health(List<Check> checks) {

    /** One check: its name, whether it is up, and a few facts (numbers and words, never a path or a secret). */
    record Check(String name, boolean up, Map<String, Object> data) {

        Check {
            data = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
        }

        static Check up(String name, Map<String, Object> data) {
            return new Check(name, true, data);
        }

        static Check down(String name, Map<String, Object> data) {
            return new Check(name, false, data);
        }
    }

    Health {
        checks = List.copyOf(checks);
    }

    boolean up() {
        return checks.stream().allMatch(Check::up);
    }

    JsonObject json() {
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (Check check : checks) {
            JsonObjectBuilder one = Json.createObjectBuilder().add("name", check.name()).add("status", status(check.up()));
            if (!check.data().isEmpty()) {
                JsonObjectBuilder data = Json.createObjectBuilder();
                check.data().forEach((key, value) -> {
                    if (value instanceof Number number) {
                        data.add(key, number.longValue());
                    } else if (value instanceof Boolean flag) {
                        data.add(key, flag);
                    } else {
                        data.add(key, String.valueOf(value));
                    }
                });
                one.add("data", data);
            }
            array.add(one);
        }
        return Json.createObjectBuilder().add("status", status(up())).add("checks", array).build();
    }

    private static String status(boolean up) {
        return up ? "UP" : "DOWN";
    }
}
