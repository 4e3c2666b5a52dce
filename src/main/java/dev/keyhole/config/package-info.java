/** The catalogue of configuration keys, typed access to MicroProfile Config, and the start-up check. */
package dev.keyhole.config;
