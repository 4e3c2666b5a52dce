/** The diagnostic endpoints: /echo sends every message back, /whoami tells a client the identity Keyhole sees. */
package dev.keyhole.diagnostic;
