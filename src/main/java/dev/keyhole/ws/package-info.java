/**
 * The WebSocket session runtime: one registry of open sessions (SessionRuntime, LiveSession), the one lifecycle every
 * endpoint runs (ManagedEndpoint), what an endpoint provides (MessageEndpoint), keepalive, message assembly and size
 * limits, the frame guard, the outbox, close causes and error handling.
 */
package dev.keyhole.ws;
