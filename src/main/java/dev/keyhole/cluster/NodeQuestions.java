package dev.keyhole.cluster;

import dev.keyhole.log.LogLine;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Questions to every node of the cluster and their answers, over Redis pub/sub: the asking node publishes
 * {@code ask} on the control channel (with the question, its arguments, an id and its own inbox channel); every
 * node that knows the question answers on that inbox ({@code answer ID NODE PAYLOAD}, the node's name URL-encoded);
 * the asker gathers the answers until every node listed in Redis has answered or the timeout passed, and says which
 * nodes stayed silent.
 */
public final class NodeQuestions {

    private static final Logger LOG = Logger.getLogger(NodeQuestions.class.getName());
    /** How long answers are still taken once every listed node answered. */
    static final long UNLISTED_GRACE_MILLIS = 250;
    /** The control command that carries a question. */
    static final String ASK = "ask";

    /**
     * The answers to one question: the payload of each node that answered, the listed nodes that did not, and whether
     * the list of nodes could be read at all (if not, any node may be missing).
     */
    public record Answers(Map<String, String> byNode, List<String> silent, boolean membershipKnown) {
        public Answers {
            byNode = Map.copyOf(byNode);
            silent = List.copyOf(silent);
        }
    }

    private final RedisLink redis;
    private final NodeDirectory directory;
    private final String node;
    private final Map<String, Function<Map<String, String>, String>> responders = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Pending> pending = new ConcurrentHashMap<>();

    /** A question asked here, waiting for its answers. */
    private static final class Pending {
        final Map<String, String> answers = new ConcurrentHashMap<>();
        final CompletableFuture<Void> all = new CompletableFuture<>();
        volatile Set<String> expected;
        volatile boolean membershipUnknown;

        void arrived(String node, String payload) {
            answers.put(node, payload);
            Set<String> waitingFor = expected;
            if (waitingFor != null && answers.keySet().containsAll(waitingFor)) {
                allListedAnswered();
            }
        }

        /**
         * Every listed node answered: done after a short grace, for a node that is up but not listed yet (it
         * announces itself every few seconds, and again after Redis came back empty).
         */
        void allListedAnswered() {
            CompletableFuture.delayedExecutor(UNLISTED_GRACE_MILLIS, TimeUnit.MILLISECONDS).execute(() -> all.complete(null));
        }
    }

    NodeQuestions(RedisLink redis, NodeDirectory directory, String node) {
        this.redis = redis;
        this.directory = directory;
        this.node = node;
    }

    /** How this node answers {@code question}: from its arguments, a payload (JSON, by convention). */
    void answer(String question, Function<Map<String, String>, String> responder) {
        responders.put(question, responder);
    }

    /** Asks every node, this one included; never fails for a silent node, it is listed in the answers. */
    CompletableFuture<Answers> ask(String question, Map<String, String> arguments, Duration timeout) {
        String id = java.util.UUID.randomUUID().toString();
        Pending waiting = new Pending();
        Map<String, String> message = new LinkedHashMap<>(arguments);
        message.put("question", question);
        message.put("id", id);
        message.put("reply", directory.inboxChannel());
        pending.put(id, waiting);
        try {
            directory.listed().whenComplete((nodes, error) -> {
                if (error != null || nodes == null) {
                    waiting.membershipUnknown = true; // wait the whole timeout: any node may still answer
                    return;
                }
                waiting.expected = Set.copyOf(nodes);
                if (waiting.answers.keySet().containsAll(waiting.expected)) {
                    waiting.allListedAnswered(); // every answer came before the list of nodes
                }
            });
            directory.publish(ASK, message);
        } catch (RuntimeException e) {
            pending.remove(id);
            redis.failed(e);
            return CompletableFuture.failedFuture(e);
        }
        return waiting.all.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS).handle((done, error) -> {
            pending.remove(id);
            Set<String> expected = waiting.expected == null ? Set.of() : waiting.expected;
            Map<String, String> answers = new LinkedHashMap<>(waiting.answers);
            List<String> silent = expected.stream().filter(listed -> !answers.containsKey(listed)).sorted().toList();
            return new Answers(answers, silent, !waiting.membershipUnknown && waiting.expected != null);
        });
    }

    /** A question from the control channel (possibly this node's own): answered on the asker's inbox. */
    void onAsk(ClusterCommand command) {
        Map<String, String> arguments = command.arguments();
        String question = arguments.get("question");
        String id = arguments.get("id");
        String reply = arguments.get("reply");
        Function<Map<String, String>, String> responder = question == null ? null : responders.get(question);
        if (responder == null || id == null || reply == null || !reply.startsWith(directory.inboxPrefix())) {
            LOG.fine(() -> LogLine.event("cluster.question-ignored").with("question", question).toString());
            return;
        }
        String payload;
        try {
            payload = responder.apply(arguments);
        } catch (RuntimeException e) {
            LOG.warning(LogLine.event("cluster.question-failed").with("question", question)
                    .with("error", e.getClass().getName()).toString());
            return;
        }
        try {
            // The node's name URL-encoded: a configured node id may hold a space, the message's separator.
            redis.async().publish(reply, "answer " + id + " " + java.net.URLEncoder.encode(node,
                    java.nio.charset.StandardCharsets.UTF_8) + " " + payload);
        } catch (RuntimeException e) {
            redis.failed(e);
        }
    }

    /** A message on this node's inbox: {@code answer ID NODE PAYLOAD}; anything else is not for this class. */
    boolean onInbox(String message) {
        if (!message.startsWith("answer ")) {
            return false;
        }
        int idEnd = message.indexOf(' ', 7);
        int nodeEnd = idEnd < 0 ? -1 : message.indexOf(' ', idEnd + 1);
        if (nodeEnd < 0) {
            return true;
        }
        Pending waiting = pending.get(message.substring(7, idEnd));
        if (waiting != null) {
            String from;
            try {
                from = java.net.URLDecoder.decode(message.substring(idEnd + 1, nodeEnd), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                return true;
            }
            waiting.arrived(from, message.substring(nodeEnd + 1));
        }
        return true;
    }
}
