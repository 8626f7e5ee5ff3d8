package io.hive.preloader.core.cache;

/** A model cannot be admitted: even after evicting every evictable model it would not fit in the budget. */
public final class BudgetExceededException extends RuntimeException {
    public BudgetExceededException(String message) {
        super(message);
    }
}
