/** How much a client may use: connection limits with their leases, and token buckets for rates. */
package dev.keyhole.limits;
