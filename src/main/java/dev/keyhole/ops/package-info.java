/**
 * Operating Keyhole: health for the balancer ({@code /health/live}, {@code /health/ready}), metrics for Prometheus
 * ({@code /metrics}), and the admin API. Each is behind a built-in location of its own (docs/operations.md).
 */
package dev.keyhole.ops;
