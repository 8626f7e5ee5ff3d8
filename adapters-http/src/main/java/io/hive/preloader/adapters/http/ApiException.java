package io.hive.preloader.adapters.http;

/** A request the API refuses: the HTTP status to answer with and the one-line message the client gets as {@code {"error": …}}. */
final class ApiException extends RuntimeException {
    private final int status;

    ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
