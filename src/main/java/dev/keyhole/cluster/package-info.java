/**
 * Rooms shared by several nodes through Redis: {@link dev.keyhole.cluster.RedisRooms} behind the chat's
 * {@link dev.keyhole.chat.Rooms} seam, the Lua scripts that number, keep and publish messages atomically, presence
 * across nodes, and the nodes' control channel. See docs/cluster.md.
 */
package dev.keyhole.cluster;
