/** Chat rooms: certificate-verified members, ordered history, resume after reconnect, backpressure per member. */
package dev.keyhole.chat;
