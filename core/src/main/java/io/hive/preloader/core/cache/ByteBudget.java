package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ByteSize;

/** The most bytes of RAM the cache may hold: written as bytes, a binary unit ({@code 24GiB}) or a share of RAM ({@code 50%}). */
public record ByteBudget(long bytes) {
    public static final String DEFAULT = "50%";

    public ByteBudget {
        if (bytes <= 0) {
            throw new IllegalArgumentException("budget must be positive, got " + bytes + " bytes");
        }
    }

    public static ByteBudget parse(String spec, long physicalRamBytes) {
        String s = spec.strip();
        if (s.endsWith("%")) {
            double percent;
            try {
                percent = Double.parseDouble(s.substring(0, s.length() - 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("budget '" + spec + "' is not a percentage like 50%");
            }
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException("budget '" + spec + "' must be a percentage above 0% and at most 100%");
            }
            return new ByteBudget((long) (physicalRamBytes * percent / 100));
        }
        long bytes;
        try {
            bytes = ByteSize.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("budget '" + spec + "' is neither a byte size (8GiB, 512MiB) nor a percentage (50%)");
        }
        return new ByteBudget(bytes);
    }

    @Override
    public String toString() {
        return ByteSize.format(bytes);
    }
}
