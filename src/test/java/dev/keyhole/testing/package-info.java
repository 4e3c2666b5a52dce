/** The integration-test harness: the generated PKI, TLS clients, a recording WebSocket client, server processes. */
package dev.keyhole.testing;
