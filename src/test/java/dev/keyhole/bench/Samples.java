package dev.keyhole.bench;

import java.util.Arrays;
import java.util.List;

/** Latencies in nanoseconds, recorded by one thread without locking; merged and sorted to read percentiles. */
final class Samples {

    private long[] values = new long[1024];
    private int count;

    void add(long nanos) {
        if (count == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[count++] = nanos;
    }

    int count() {
        return count;
    }

    /** The merged, sorted samples of several recorders. */
    static long[] sorted(List<Samples> recorders) {
        long[] all = new long[recorders.stream().mapToInt(Samples::count).sum()];
        int at = 0;
        for (Samples recorder : recorders) {
            System.arraycopy(recorder.values, 0, all, at, recorder.count);
            at += recorder.count;
        }
        Arrays.sort(all);
        return all;
    }

    /** The p-th percentile (0 < p <= 100) of sorted samples, in microseconds; NaN when there are none. */
    static double percentileMicros(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
    }
}
