package io.hive.preloader.core.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;

/**
 * Keeps what is charged within the budget as it changes: trims (evicts down to the budget) when the budget is
 * lowered, a pin is lifted, a lease or a load ends while over the budget; and settles the ledger when a store has
 * freed bytes, which starts the admissions waiting for them.
 */
final class Budgeting {
    private static final System.Logger LOG = System.getLogger(Budgeting.class.getName());
    private static final VarHandle TRIM_SCHEDULED;

    static {
        try {
            TRIM_SCHEDULED = MethodHandles.lookup().findVarHandle(Budgeting.class, "trimScheduled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CacheState state;
    /**
     * Whether a trim is queued on the background executor and has not started yet: while it is, a lease closing over
     * the budget adds none (as Caffeine's drain status coalesces maintenance). Cleared by the trim as it starts, before
     * it reads anything, so a close after that point queues the next one and no close goes unseen.
     */
    private volatile boolean trimScheduled;
    /** Made once: queueing a trim allocates no task of its own. */
    private final Runnable scheduledTrim = this::scheduledTrim;
    /**
     * Set before a trim looks at lease counts and left set while models over the budget could not go: a lease
     * closing afterwards sees it and trims again (the trim reads the counts after setting it, the close reads it
     * after changing its count, so one of them sees the other).
     */
    private volatile boolean overBudget;

    Budgeting(CacheState state) {
        this.state = state;
    }

    boolean overBudget() {
        return overBudget;
    }

    /** Sets the budget, trims at once to it (the frees run in the background), and settles waiting admissions. */
    void budget(long bytes) {
        state.lock.lock();
        try {
            state.ledger.budget(bytes);
            if (state.closed) {
                return;
            }
        } finally {
            state.lock.unlock();
        }
        trim("budget lowered");
        settle(0, 0); // a raised budget lets waiting admissions go; a lowered one may refuse them
    }

    /**
     * Trims on the background executor: for a lease's close, which must not do it itself. At most one trim waits
     * there at a time; a close that finds one waiting costs one volatile read.
     */
    void trimLater() {
        if (trimScheduled || !TRIM_SCHEDULED.compareAndSet(this, false, true)) {
            return;
        }
        try {
            state.background.execute(scheduledTrim);
        } catch (RejectedExecutionException closing) {
            trimScheduled = false; // the cache is closing: everything goes anyway
        }
    }

    private void scheduledTrim() {
        trimScheduled = false;
        trim("over the budget");
    }

    /** After a load: models that were over the budget but loading may go now. */
    void trimIfOver() {
        if (state.ledger.excess() > 0) {
            trimLater();
        }
    }

    /** Evicts, by the policy's choice, until what is charged fits the budget; frees the victims in the background. */
    void trim(String reason) {
        if (state.ledger.excess() <= 0 && !overBudget) {
            return;
        }
        Eviction.Trim trim;
        state.lock.lock();
        try {
            if (state.closed) {
                return;
            }
            overBudget = true;
            trim = state.eviction.trim();
            overBudget = state.ledger.excess() > 0;
        } finally {
            state.lock.unlock();
        }
        trim.refused().ifPresent(id -> LOG.log(System.Logger.Level.WARNING, "eviction policy {0} proposed {1}, which is not "
                + "evictable; it stays", state.policy.name(), id));
        for (ResidentModel victim : trim.victims()) {
            state.releaser.evicted(victim, reason);
            state.releaser.later(victim);
        }
    }

    /**
     * Gives bytes back to the ledger (a store freed them), then starts the admissions waiting that fit now and
     * refuses those that never will. The ledger changes under the lock, so that a decision sees a release either
     * wholly under way or wholly done.
     */
    void settle(long givenBack, long noLongerFreeing) {
        Waiting.Settled settled;
        state.lock.lock();
        try {
            state.ledger.giveBack(givenBack);
            state.ledger.freeing(-noLongerFreeing);
            settled = state.waiting.settle(state.ledger);
        } finally {
            state.lock.unlock();
        }
        for (Admission admission : settled.start()) {
            try {
                admission.launch();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "no thread to load " + admission.entry.descriptor.id() + ": " + e.getMessage(), e);
            }
        }
        for (int i = 0; i < settled.refuse().size(); i++) {
            settled.refuse().get(i).abandon(settled.why().get(i));
        }
    }
}
