package dev.keyhole.chat;

import dev.keyhole.limits.TokenBucket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Who is in a room, as its members see it: each member's display name and the presence events that announce
 * joins and leaves. A room on one server and a room's view on one node of a cluster keep the same roster, so both
 * show the same names and coalesce presence the same way.
 *
 * <p>Members are identities (issuer and subject), shown by their CN; while two members share a CN (compared without
 * regard to case), both are shown with their tag ({@code dev-user #3f9a1c2b7d10}), and so is a CN that itself ends
 * like a tag.
 *
 * <p>Presence: a change is announced at once while the room's presence bucket has a token; beyond that, the members
 * whose presence changed are collected and announced together when the bucket allows again, each with where it
 * stands <em>now</em>: one {@code changes} event listing who is in ({@code joined}) and who is out ({@code left}).
 * Not thread-safe: its room guards it.
 */
public final class Roster {

    /** A CN that ends like a display name with a tag: it is always shown with its own tag, so it cannot pass for another. */
    private static final Pattern LOOKS_TAGGED = Pattern.compile(".*#\\s*[0-9a-fA-F]{4,}\\s*");

    /** Rooms up to this many members list them all in every presence event. */
    public static final int PRESENCE_LIST_LIMIT = 100;

    /** A member: its identity key and what its certificate says. */
    public record Member(String key, String name, String tag, String subject, String issuer) {

        public static Member of(MemberConnection connection) {
            return new Member(connection.memberKey(), connection.name(), connection.tag(), connection.subject(),
                    connection.issuer());
        }
    }

    /**
     * A presence event to send now, to every member but {@code exceptKey} (the one member who joined: its welcome
     * said so), or to everyone when that is null.
     */
    public record Announcement(ChatEvent.Presence event, String exceptKey) {
    }

    /** How fast presence events may go out. */
    public record PresenceRate(int perSecond, int burst) {
    }

    private final RoomName room;
    private final TokenBucket presenceTokens;
    private final Map<String, Member> members = new LinkedHashMap<>();
    /** Members whose presence changed since the last announcement, as they were last shown. */
    private final Map<String, ChatEvent.Person> changed = new LinkedHashMap<>();
    /** How many members have each CN: a name held by more than one is shown with the tag. */
    private final Map<String, Integer> nameCounts = new HashMap<>();

    public Roster(RoomName room, PresenceRate rate, LongSupplier nanoTime) {
        this.room = room;
        this.presenceTokens = new TokenBucket(rate.perSecond(), rate.burst(), nanoTime);
    }

    /**
     * Adds a member (again: no change).
     *
     * @return whether it is new
     */
    public boolean add(Member member) {
        if (members.containsKey(member.key())) {
            return false;
        }
        members.put(member.key(), member);
        nameCounts.merge(fold(member.name()), 1, Integer::sum);
        changed.put(member.key(), person(member));
        return true;
    }

    /**
     * Removes a member (not a member: no change).
     *
     * @return whether it was a member
     */
    public boolean remove(String key) {
        Member member = members.get(key);
        if (member == null) {
            return false;
        }
        changed.put(key, person(member));
        members.remove(key);
        nameCounts.computeIfPresent(fold(member.name()), (cn, count) -> count > 1 ? count - 1 : null);
        return true;
    }

    public boolean contains(String key) {
        return members.containsKey(key);
    }

    public Optional<Member> member(String key) {
        return Optional.ofNullable(members.get(key));
    }

    /** Every member's key, in the order they joined. */
    public List<String> keys() {
        return List.copyOf(members.keySet());
    }

    public int size() {
        return members.size();
    }

    public boolean isEmpty() {
        return members.isEmpty();
    }

    /** A member as others see it now. */
    public ChatEvent.Person person(Member member) {
        return new ChatEvent.Person(displayName(member), member.tag(), member.subject(), member.issuer());
    }

    /** The CN, with the tag while another member of the room has the same CN, or when the CN itself ends like a tag. */
    public String displayName(Member member) {
        boolean shared = nameCounts.getOrDefault(fold(member.name()), 0) > 1;
        return shared || LOOKS_TAGGED.matcher(member.name()).matches() ? member.name() + " #" + member.tag() : member.name();
    }

    /** Every member's display name, sorted. */
    public List<String> names() {
        return members.values().stream().map(this::displayName).sorted().toList();
    }

    /**
     * Every member: in detail in rooms of at most {@link #PRESENCE_LIST_LIMIT}, by name and tag only in larger ones
     * (a welcome to a room of 1,000 stays tens of KiB).
     */
    public List<ChatEvent.Person> people() {
        boolean detailed = members.size() <= PRESENCE_LIST_LIMIT;
        return members.values().stream()
                .map(member -> detailed ? person(member) : new ChatEvent.Person(displayName(member), member.tag(), null, null))
                .sorted(Comparator.comparing(ChatEvent.Person::name)).toList();
    }

    /** The welcome for a member who joined. */
    public ChatEvent.Welcome welcome(Member you, long lastSeq, String epoch, Instant now) {
        return new ChatEvent.Welcome(room.value(), person(you), names(), people(), lastSeq, epoch, now);
    }

    /**
     * The presence changes to announce now, if there are any and the bucket has a token: one change as a join or
     * leave event (a join not to the joiner), several as one {@code changes} event, each member where it stands now.
     */
    public Optional<Announcement> announce(Instant now) {
        if (changed.isEmpty() || !presenceTokens.tryTake()) {
            return Optional.empty();
        }
        List<ChatEvent.Person> in = new ArrayList<>();
        List<ChatEvent.Person> out = new ArrayList<>();
        changed.forEach((key, shown) -> {
            Member member = members.get(key);
            if (member != null) {
                in.add(person(member));
            } else {
                out.add(shown);
            }
        });
        String onlyJoiner = changed.size() == 1 && in.size() == 1 ? changed.keySet().iterator().next() : null;
        changed.clear();
        if (onlyJoiner != null) {
            return Optional.of(new Announcement(presence("join", in.get(0), null, null, now), onlyJoiner));
        }
        if (in.isEmpty() && out.size() == 1) {
            return Optional.of(new Announcement(presence("leave", out.get(0), null, null, now), null));
        }
        return Optional.of(new Announcement(presence("changes", null, in, out, now), null));
    }

    private ChatEvent.Presence presence(String event, ChatEvent.Person member, List<ChatEvent.Person> joined,
            List<ChatEvent.Person> left, Instant now) {
        return new ChatEvent.Presence(room.value(), event, member, joined, left, members.size(),
                members.size() <= PRESENCE_LIST_LIMIT ? names() : null, now);
    }

    /** CNs that differ only in case are the same name to a reader. */
    private static String fold(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
