package dev.keyhole.chat;

import dev.keyhole.config.Settings;
import java.time.Clock;
import java.util.Map;

/** The rooms contract, kept by the rooms in one server's memory (the default). */
class InMemoryRoomsContractTest extends RoomsContract {

    @Override
    protected Rooms rooms(Map<String, String> settings) {
        return new InMemoryRooms(Settings.of(settings), Clock.systemUTC());
    }
}
