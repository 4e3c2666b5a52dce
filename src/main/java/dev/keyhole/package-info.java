/** Keyhole: which WebSocket endpoint is served where (Endpoints). */
package dev.keyhole;
