package io.hive.preloader.app.config;

import java.nio.file.Path;

/** A config file that cannot be used; the message is one line naming the file, the key and what is allowed. */
public final class ConfigException extends RuntimeException {

    ConfigException(Path file, String problem) {
        super("config " + file + ": " + problem);
    }
}
