package io.hive.preloader.benchmarks.simulator;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Ranks 0..n-1 drawn with probability proportional to {@code 1 / (rank + 1)^s}, by inverting the cumulative sum. */
final class Zipf {
    private final double[] cumulative;

    Zipf(int n, double s) {
        cumulative = new double[n];
        double sum = 0;
        for (int rank = 0; rank < n; rank++) {
            sum += 1 / Math.pow(rank + 1, s);
            cumulative[rank] = sum;
        }
        for (int rank = 0; rank < n; rank++) {
            cumulative[rank] /= sum;
        }
    }

    int sample(SplittableRandom random) {
        int i = Arrays.binarySearch(cumulative, random.nextDouble());
        int rank = i >= 0 ? i : -i - 1;
        return Math.min(rank, cumulative.length - 1);
    }
}
