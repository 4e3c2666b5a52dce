/** The echo endpoint: a diagnostic wss endpoint that sends every message back. */
package dev.keyhole.echo;
