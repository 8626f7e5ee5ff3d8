package io.hive.preloader.core.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded corpus of mutated GGUF files, made identically on every run from two real files: truncations at every
 * header byte and inside the tensor data, counts and lengths near 2^64, offsets past the end and misaligned, bad
 * types, bad alignments, bad UTF-8, and random byte flips. Each says whether it must be refused; a random flip may
 * leave a valid file (a letter in a name), so those may be read or refused, never anything else.
 */
public final class GgufCorpus {
    private GgufCorpus() {
    }

    public record Mutant(String name, java.util.function.Supplier<byte[]> maker, boolean mustRefuse) {
        public Mutant(String name, byte[] bytes, boolean mustRefuse) {
            this(name, () -> bytes, mustRefuse);
        }
    }

    private static byte[] withLong(byte[] base, int at, long value) {
        byte[] b = base.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
        return b;
    }

    private static byte[] withInt(byte[] base, int at, int value) {
        byte[] b = base.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return b;
    }

    /** Offsets of every length, count and type field in a header, found by walking it the way the format says. */
    private static final class FieldMap {
        final List<Integer> lengths = new ArrayList<>();   // u64 string lengths and array counts
        final List<Integer> types = new ArrayList<>();     // u32 value types, element types, ggml types
        final List<Integer> tensorOffsets = new ArrayList<>();
        final List<Integer> dimCounts = new ArrayList<>();
        final List<Integer> stringBodies = new ArrayList<>();
        int alignmentValue = -1;
        private final ByteBuffer in;

        FieldMap(byte[] file) {
            in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            in.position(8);
            long tensors = in.getLong();
            long kvs = in.getLong();
            for (long i = 0; i < kvs; i++) {
                String key = string();
                types.add(in.position());
                int type = in.getInt();
                if (key.equals("general.alignment")) {
                    alignmentValue = in.position();
                }
                value(type);
            }
            for (long i = 0; i < tensors; i++) {
                string();
                dimCounts.add(in.position());
                int dims = in.getInt();
                in.position(in.position() + 8 * dims);
                types.add(in.position());
                in.getInt();
                tensorOffsets.add(in.position());
                in.getLong();
            }
        }

        private String string() {
            lengths.add(in.position());
            int n = (int) in.getLong();
            stringBodies.add(in.position());
            byte[] s = new byte[n];
            in.get(s);
            return new String(s, java.nio.charset.StandardCharsets.UTF_8);
        }

        private void value(int type) {
            switch (type) {
                case 0, 1, 7 -> in.get();
                case 2, 3 -> in.getShort();
                case 4, 5, 6 -> in.getInt();
                case 10, 11, 12 -> in.getLong();
                case 8 -> string();
                case 9 -> {
                    types.add(in.position());
                    int element = in.getInt();
                    lengths.add(in.position());
                    long n = in.getLong();
                    for (long i = 0; i < n; i++) {
                        value(element);
                    }
                }
                default -> throw new IllegalStateException("type " + type);
            }
        }
    }

    /** At most {@code n} of the items, spread evenly over the list. */
    private static List<Integer> spread(List<Integer> items, int n) {
        if (items.size() <= n) {
            return items;
        }
        List<Integer> picked = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            picked.add(items.get(i * items.size() / n));
        }
        return picked;
    }

    public static List<Mutant> corpus() {
        List<Mutant> corpus = new ArrayList<>();
        byte[] tensors = GgufFixtures.resource("gguf-py-tensors.gguf");
        byte[] vocab = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-llama-spm.gguf"));
        int dataEnd = 896 + 4672 + 28;

        for (int cut = 0; cut < 896; cut++) {
            corpus.add(new Mutant("truncated at " + cut, Arrays.copyOf(tensors, cut), true));
        }
        Random random = new Random(20261126);
        for (int i = 0; i < 100; i++) {
            int cut = 896 + random.nextInt(dataEnd - 896);
            corpus.add(new Mutant("data truncated at " + cut, Arrays.copyOf(tensors, cut), true));
        }
        long[] huge = {-1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32, 1L << 40, -2L};
        for (long value : huge) {
            corpus.add(new Mutant("tensor count " + Long.toUnsignedString(value), withLong(tensors, 8, value), true));
            corpus.add(new Mutant("kv count " + Long.toUnsignedString(value), withLong(tensors, 16, value), true));
            corpus.add(new Mutant("vocab kv count " + Long.toUnsignedString(value), () -> withLong(vocab, 16, value), true));
        }
        for (byte[] base : List.of(tensors, vocab)) {
            FieldMap fields = new FieldMap(base);
            for (int at : spread(fields.lengths, 60)) {
                for (long value : huge) {
                    corpus.add(new Mutant("length at " + at + " = " + Long.toUnsignedString(value), () -> withLong(base, at, value), true));
                }
            }
            for (int at : fields.types.subList(0, Math.min(200, fields.types.size()))) {
                for (int bad : new int[]{13, 99, -1}) {
                    boolean ggmlType = fields.tensorOffsets.stream().anyMatch(o -> o == at + 4);
                    corpus.add(new Mutant("type at " + at + " = " + bad, () -> withInt(base, at, ggmlType ? 1000 + bad : bad), true));
                }
            }
            for (int at : fields.stringBodies.subList(0, Math.min(100, fields.stringBodies.size()))) {
                if (at < base.length && ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN).getLong(at - 8) > 0) {
                    corpus.add(new Mutant("bad UTF-8 at " + at, () -> {
                        byte[] b = base.clone();
                        b[at] = (byte) 0xFF; // never valid in UTF-8
                        return b;
                    }, true));
                }
            }
        }
        FieldMap fields = new FieldMap(tensors);
        for (int at : fields.tensorOffsets) {
            corpus.add(new Mutant("tensor offset past the end at " + at, withLong(tensors, at, 1L << 40), true));
            corpus.add(new Mutant("tensor offset misaligned at " + at, withLong(tensors, at, 4096 + 8), true));
            corpus.add(new Mutant("tensor offset negative at " + at, withLong(tensors, at, -64), true));
        }
        for (int at : fields.dimCounts) {
            corpus.add(new Mutant("five dimensions at " + at, withInt(tensors, at, 5), true));
        }
        for (int alignment : new int[]{0, 3, 48, 1 << 31}) {
            corpus.add(new Mutant("alignment " + alignment, withInt(tensors, fields.alignmentValue, alignment), true));
        }
        corpus.add(new Mutant("version 4", withInt(tensors, 4, 4), true));
        corpus.add(new Mutant("big-endian version", withInt(tensors, 4, 0x03000000), true));
        corpus.add(new Mutant("bad magic", withInt(tensors, 0, 0x47475546), true));

        // Random flips anywhere in the header: a flip may leave a valid file (a letter in a name), so these
        // must be refused cleanly or read, never anything else.
        for (int i = 0; i < 400; i++) {
            byte[] base = i % 2 == 0 ? tensors : vocab;
            long seed = random.nextLong();
            corpus.add(new Mutant("random flips #" + i + " (seed " + seed + ")", () -> {
                Random flipper = new Random(seed);
                byte[] b = base.clone();
                int flips = 1 + flipper.nextInt(4);
                int headerEnd = base == tensors ? 896 : base.length;
                for (int f = 0; f < flips; f++) {
                    b[flipper.nextInt(headerEnd)] ^= (byte) (1 << flipper.nextInt(8));
                }
                return b;
            }, false));
        }
        return corpus;
    }

}
