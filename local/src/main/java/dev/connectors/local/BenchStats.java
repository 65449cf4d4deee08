package dev.connectors.local;

import java.util.Arrays;
import java.util.List;

/** Order statistics of a bench's samples (milliseconds or any other unit), nearest-rank. */
record BenchStats(double[] sorted) {
    static BenchStats of(List<? extends Number> samples) {
        return new BenchStats(samples.stream().mapToDouble(Number::doubleValue).sorted().toArray());
    }

    static BenchStats of(double[] samples) {
        double[] copy = samples.clone();
        Arrays.sort(copy);
        return new BenchStats(copy);
    }

    double median() {
        return percentile(50);
    }

    double percentile(double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    double min() {
        return sorted[0];
    }

    double max() {
        return sorted[sorted.length - 1];
    }

    /** "520 ms (480–610, n=7)": the median with the whole range, so noise is visible. */
    String describe(String unit) {
        return String.format("%.0f %s (%.0f–%.0f, n=%d)", median(), unit, min(), max(), sorted.length);
    }
}
