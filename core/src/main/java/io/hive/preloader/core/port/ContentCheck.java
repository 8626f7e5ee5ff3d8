package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.Sha256;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * What a load must check of the bytes it brings in: nothing, or that they have the SHA-256 the model's source gave
 * ({@link ModelDescriptor#digest()}). A store checks beside its reads, not in a second pass: it {@linkplain #start
 * starts} a {@link Hashing} over the memory it fills and tells it each range that is final, in any order and from
 * any thread; the hashing runs on a thread of its own, in file order, as soon as the ranges it has been told of
 * reach the next byte, so it follows the reads and ends soon after the last one. A store that cannot do that gets
 * the fallback of {@link RamStore#load(ModelDescriptor, LoadProgress, ContentCheck)}: its whole region hashed after
 * the load.
 */
public sealed interface ContentCheck {
    /** Nothing to check. */
    ContentCheck NONE = new None();

    /** Checks that the bytes loaded for {@code model} have the digest {@code expected}. */
    static ContentCheck sha256(ModelDescriptor model, Sha256 expected) {
        return new Digest(model, expected);
    }

    /** Whether there is anything to check (a store may skip its bookkeeping when not). */
    boolean hashes();

    /**
     * Starts the check of {@code bytes}, the memory the load fills: exactly the model's bytes, from its first. The
     * memory must stay valid until the returned hashing is closed.
     */
    Hashing start(MemorySegment bytes);

    /** One check under way; not reused. */
    interface Hashing extends AutoCloseable {

        /** Bytes {@code [start, end)} of the memory hold their final contents now. Any thread, any order; cheap. */
        void filled(long start, long end);

        /**
         * Waits until every byte has been hashed, and compares.
         *
         * @throws io.hive.preloader.core.model.InvalidModelException naming the file and both digests when they differ
         * @throws StoreException when the memory could not be read (a page of a mapped file that is gone)
         */
        void verify();

        /** Stops the check and returns once nothing reads the memory any more, so that the caller may free it. */
        @Override
        void close();
    }

    /** The check of a model without a digest. */
    record None() implements ContentCheck {
        private static final Hashing IDLE = new Hashing() {
            @Override
            public void filled(long start, long end) {
            }

            @Override
            public void verify() {
            }

            @Override
            public void close() {
            }
        };

        @Override
        public boolean hashes() {
            return false;
        }

        @Override
        public Hashing start(MemorySegment bytes) {
            return IDLE;
        }
    }

    /** The check of a model whose SHA-256 is known. */
    record Digest(ModelDescriptor model, Sha256 expected) implements ContentCheck {
        public Digest {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(expected, "expected");
        }

        @Override
        public boolean hashes() {
            return true;
        }

        @Override
        public Hashing start(MemorySegment bytes) {
            return Sha256Stage.start(model, expected, bytes);
        }
    }
}
