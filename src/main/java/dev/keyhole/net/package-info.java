/** Network addresses: ranges of client and proxy addresses in CIDR notation. */
package dev.keyhole.net;
