/** Structured log lines that client-controlled values cannot break. */
package dev.keyhole.log;
