/** What every WebSocket endpoint shares: message assembly and size limits, close codes, error handling. */
package dev.keyhole.ws;
