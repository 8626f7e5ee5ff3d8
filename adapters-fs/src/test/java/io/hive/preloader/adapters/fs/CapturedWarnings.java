package io.hive.preloader.adapters.fs;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what a class logs at WARNING. Without an SLF4J bridge on the test class path, System.Logger is backed by
 * java.util.logging, so a handler on the logger of the same name sees every record.
 */
final class CapturedWarnings implements AutoCloseable {
    private final Logger logger;   // held strongly: java.util.logging forgets loggers nobody references
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                messages.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private CapturedWarnings(Class<?> source) {
        logger = Logger.getLogger(source.getName());
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);   // expected warnings stay off the build's console
    }

    static CapturedWarnings of(Class<?> source) {
        return new CapturedWarnings(source);
    }

    List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(true);
    }
}
