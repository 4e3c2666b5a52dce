package dev.keyhole.cluster;

import dev.keyhole.chat.RoomName;

/**
 * Where a room lives in Redis: a hash (epoch, last sequence number, history bytes, creator), a stream of its
 * retained messages, a sorted set of the members each node has in it (scored by when they expire), and the channel
 * its messages and presence changes are published on. All under the cluster's key prefix.
 */
record RoomKeys(String prefix, RoomName room) {

    String name() {
        return room.value();
    }

    String meta() {
        return prefix + "room:" + room.value();
    }

    String log() {
        return meta() + ":log";
    }

    String members() {
        return meta() + ":members";
    }

    String channel() {
        return meta();
    }

    /** The rooms that exist, scored by when they were last active. */
    String registry() {
        return prefix + "rooms";
    }

    /** The rooms one identity created (by the SHA-256 of its key). */
    String createdBy(String creatorHash) {
        return prefix + "creator:" + creatorHash;
    }
}
