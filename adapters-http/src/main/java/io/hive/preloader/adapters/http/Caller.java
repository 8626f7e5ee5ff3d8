package io.hive.preloader.adapters.http;

import io.javalin.http.Context;

/**
 * Who sent a request, by its bearer token, as {@link Guard} found it: the admin token may do everything; the read
 * token may read the API, but not what hands out access or may carry a secret (IPC handles, worker commands and
 * output); a stranger sent a token that is neither.
 */
enum Caller {
    ANONYMOUS, STRANGER, READER, ADMIN;

    private static final String ATTRIBUTE = "preloader.caller";

    boolean mayRead() {
        return this == READER || this == ADMIN;
    }

    /** Whether the answer may include IPC handles, worker commands and worker output. */
    boolean seesSecrets() {
        return this == ADMIN;
    }

    void mark(Context ctx) {
        ctx.attribute(ATTRIBUTE, this);
    }

    static Caller of(Context ctx) {
        Caller caller = ctx.attribute(ATTRIBUTE);
        return caller == null ? ANONYMOUS : caller;
    }
}
