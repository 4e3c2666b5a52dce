package dev.keyhole.bench;

import java.lang.management.ManagementFactory;

/** Wall time and the CPU time of the server and of this client over one measured window. */
final class Meter {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** What a window measured: nanoseconds of wall time and of CPU time (the server's is null for none). */
    record Window(long wallNanos, Long serverCpuNanos, long clientCpuNanos) {

        double seconds() {
            return wallNanos / 1e9;
        }

        /** Server CPU microseconds per unit of work. */
        Double serverMicrosPer(long units) {
            return serverCpuNanos == null || units == 0 ? null : serverCpuNanos / 1000.0 / units;
        }

        /** The client's CPU use, in cores (1.0 = one core busy all the time). */
        double clientCores() {
            return (double) clientCpuNanos / wallNanos;
        }
    }

    private final ServerUnderTest server;
    private final long startWall;
    private final Long startServer;
    private final long startClient;

    private Meter(ServerUnderTest server) {
        this.server = server;
        this.startWall = System.nanoTime();
        this.startServer = server == null ? null : server.cpuNanos();
        this.startClient = OS.getProcessCpuTime();
    }

    static Meter start(ServerUnderTest server) {
        return new Meter(server);
    }

    Window stop() {
        return new Window(System.nanoTime() - startWall, server == null ? null : server.cpuNanos() - startServer,
                OS.getProcessCpuTime() - startClient);
    }
}
