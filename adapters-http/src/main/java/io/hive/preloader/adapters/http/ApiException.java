package io.hive.preloader.adapters.http;

/** A request the API refuses: the status to answer with and the one-line message the client gets as {@code {"error": …}}. */
final class ApiException extends RuntimeException {
    private final int status;

    ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException unauthorized(String message) {
        return new ApiException(401, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    static ApiException conflict(String message) {
        return new ApiException(409, message);
    }

    static ApiException tooLarge(String message) {
        return new ApiException(413, message);
    }

    static ApiException unavailable(String message) {
        return new ApiException(503, message);
    }

    int status() {
        return status;
    }
}
