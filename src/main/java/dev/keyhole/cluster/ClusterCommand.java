package dev.keyhole.cluster;

import java.util.Map;

/**
 * A command addressed to every node of the cluster, as it arrived on the control channel: its name (such as
 * {@code disconnect}), its arguments, and the node that sent it. Fired as a CDI event on each node, the sender's
 * included; an observer acts on the names it knows and ignores the others.
 */
public record ClusterCommand(String name, Map<String, String> arguments, String from) {

    public ClusterCommand {
        arguments = Map.copyOf(arguments);
    }
}
