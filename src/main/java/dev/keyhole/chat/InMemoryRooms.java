package dev.keyhole.chat;

import dev.keyhole.config.Setting;
import dev.keyhole.config.Settings;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Rooms in this server's memory: created when the first connection joins, forgotten once they have neither members
 * nor history to resume, and bounded in number ({@code keyhole.chat.max-rooms}).
 */
@ApplicationScoped
public class InMemoryRooms implements Rooms {

    @Inject
    Settings settings;

    private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
    private Clock clock = Clock.systemUTC();
    private int maxRooms;
    private int historyMessages;
    private Duration historyAge;

    public InMemoryRooms() {
    }

    /** For tests: rooms without a container. */
    InMemoryRooms(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        init();
    }

    @PostConstruct
    void init() {
        maxRooms = settings.get(Setting.CHAT_MAX_ROOMS);
        historyMessages = settings.get(Setting.CHAT_HISTORY_MESSAGES);
        historyAge = Duration.ofSeconds(settings.get(Setting.CHAT_HISTORY_SECONDS));
    }

    @Override
    public Membership join(RoomName name, Participant participant, ResumePoint resume) {
        Room room = room(name);
        Room.Joined joined = room.join(participant, resume);
        joined.flush().forEach(Participant::flush);
        return new RoomMembership(room, participant, joined.welcomeSeq());
    }

    private Room room(RoomName name) {
        Room existing = rooms.get(name.value());
        if (existing != null) {
            return existing;
        }
        if (rooms.size() >= maxRooms) {
            rooms.values().removeIf(Room::idle);
            if (rooms.size() >= maxRooms) {
                throw new RoomLimitException();
            }
        }
        return rooms.computeIfAbsent(name.value(), key -> new Room(name, new History(historyMessages, historyAge), clock));
    }

    int size() {
        return rooms.size();
    }

    private final class RoomMembership implements Membership {
        private final Room room;
        private final Participant participant;
        private final long welcomeSeq;

        RoomMembership(Room room, Participant participant, long welcomeSeq) {
            this.room = room;
            this.participant = participant;
            this.welcomeSeq = welcomeSeq;
        }

        @Override
        public void post(String text, String clientId) {
            room.post(participant, text, clientId).forEach(Participant::flush);
        }

        @Override
        public void replay(long after, String epoch) {
            room.replay(participant, new ResumePoint(after, epoch), welcomeSeq).forEach(Participant::flush);
        }

        @Override
        public void leave() {
            room.leave(participant).forEach(Participant::flush);
            if (room.idle()) {
                rooms.remove(room.name(), room);
            }
        }
    }
}
