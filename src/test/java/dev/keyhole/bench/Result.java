package dev.keyhole.bench;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * One figure the benchmark measured: a metric of a scenario on a target, with the floor it is compared to (the raw
 * TLS server's figure for the same scenario, where there is one) and what it cost the server and the client.
 *
 * @param floor the floor's figure in the same unit, or null
 * @param serverCpuMicrosPerMessage server CPU per message (or per delivery, handshake, …), or null
 * @param clientCpu the load client's CPU use during the measurement, in cores, or null
 * @param peer the peer's figure (the Node.js ws server) in the same unit, or null
 */
record Result(String scenario, String target, String metric, double value, String unit, Double floor,
        Double serverCpuMicrosPerMessage, Double clientCpu, String note, Double peer) {

    Result(String scenario, String target, String metric, double value, String unit, Double floor,
            Double serverCpuMicrosPerMessage, Double clientCpu, String note) {
        this(scenario, target, metric, value, unit, floor, serverCpuMicrosPerMessage, clientCpu, note, null);
    }

    /** value / peer, or null without a peer figure. */
    Double ratioToPeer() {
        return peer == null || peer == 0 ? null : value / peer;
    }

    Result withPeer(Double newPeer) {
        return new Result(scenario, target, metric, value, unit, floor, serverCpuMicrosPerMessage, clientCpu, note, newPeer);
    }

    /** value / floor, or null without a floor. */
    Double ratioToFloor() {
        return floor == null || floor == 0 ? null : value / floor;
    }

    Result withFloor(Double newFloor) {
        return new Result(scenario, target, metric, value, unit, newFloor, serverCpuMicrosPerMessage, clientCpu, note, peer);
    }

    String toJson() {
        return "{\"scenario\":" + text(scenario) + ",\"target\":" + text(target) + ",\"metric\":" + text(metric)
                + ",\"value\":" + number(value) + ",\"unit\":" + text(unit) + ",\"floor\":" + number(floor)
                + ",\"ratio_to_floor\":" + number(ratioToFloor()) + ",\"peer\":" + number(peer) + ",\"ratio_to_peer\":"
                + number(ratioToPeer()) + ",\"server_cpu_us_per_msg\":"
                + number(serverCpuMicrosPerMessage) + ",\"client_cpu\":" + number(clientCpu) + ",\"note\":" + text(note)
                + "}";
    }

    private static String number(Double value) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            return "null";
        }
        return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static String text(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder json = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }
}
