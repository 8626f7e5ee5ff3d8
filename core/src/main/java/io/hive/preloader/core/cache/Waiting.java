package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ByteSize;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Admissions whose share does not fit yet, waiting in order of arrival for bytes that are being freed. A first
 * come waits for the bytes it was promised; one behind it waits its turn, so that a large model is not starved by
 * small ones. Guarded by the cache's admission lock.
 */
final class Waiting {
    /** What {@link #settle} decided: admissions to start, and those refused, each with why. */
    record Settled(List<Admission> start, List<Admission> refuse, List<BudgetExceededException> why) {
        static final Settled NOTHING = new Settled(List.of(), List.of(), List.of());
    }

    private final ArrayDeque<Admission> queue = new ArrayDeque<>();
    /** The shares of the admissions waiting. */
    private long promised;

    long promised() {
        return promised;
    }

    /** Charges the admission's share when it fits now and nobody waits before it (true), else queues it. */
    boolean add(Admission admission, Ledger ledger) {
        if (queue.isEmpty() && ledger.room() >= admission.share) {
            ledger.charge(admission.share);
            return true;
        }
        queue.add(admission);
        promised += admission.share;
        return false;
    }

    /**
     * Starts, in order, the admissions that fit now; refuses the first that cannot fit once nothing is being freed
     * (the budget was lowered meanwhile, or a release failed), and goes on with the next.
     */
    Settled settle(Ledger ledger) {
        if (queue.isEmpty()) {
            return Settled.NOTHING;
        }
        List<Admission> start = new ArrayList<>();
        List<Admission> refuse = new ArrayList<>();
        List<BudgetExceededException> why = new ArrayList<>();
        while (!queue.isEmpty()) {
            Admission head = queue.peek();
            if (ledger.room() >= head.share) {
                queue.poll();
                promised -= head.share;
                ledger.charge(head.share);
                start.add(head);
            } else if (ledger.freeingBytes() == 0) {
                queue.poll();
                promised -= head.share;
                refuse.add(head);
                why.add(new BudgetExceededException("cannot admit " + head.entry.descriptor.id() + " ("
                        + ByteSize.format(head.entry.bytes()) + "): budget " + ByteSize.format(ledger.budget()) + ", "
                        + ByteSize.format(ledger.charged()) + " in use once what was being freed had gone (the rest is pinned, loading or leased)"));
            } else {
                break;
            }
        }
        return new Settled(start, refuse, why);
    }

    /** Every admission still waiting, taken out (the cache is closing). */
    List<Admission> drain() {
        List<Admission> all = new ArrayList<>(queue);
        queue.clear();
        promised = 0;
        return all;
    }
}
