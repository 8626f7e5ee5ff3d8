package io.hive.preloader.adapters.http;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Secrets in command lines, hidden before one is shown: a worker's command is the operator's, and it may carry an API
 * key ({@code --api-key X}, {@code --token=X}, {@code -H 'Authorization: Bearer X'}, {@code API_KEY=X},
 * {@code https://user:X@host}, {@code ?token=X}). What is hidden is judged by the name in front of a value, not by
 * the config key the command sits under; a doubtful case is hidden (a value shown wrongly cannot be taken back).
 */
final class CommandLines {
    static final String HIDDEN = "<hidden>";
    /** Words that make an option, a variable, a parameter or a header name a secret's. */
    private static final String SECRET = "(?:token|secret|passw|passphrase|pwd|key|auth|credential|cookie|session)";
    /** A name that stands alone (not the end of a path or a longer word), with a secret word in it. */
    private static final String NAME = "(?<![\\w./-])(-{0,2}[\\w.-]*" + SECRET + "[\\w.-]*)";
    /** {@code name=value}: the value runs to the next space or separator. */
    private static final Pattern ASSIGNED = Pattern.compile("(?i)" + NAME + "(=)([^\\s&;,'\"]+)");
    /** {@code Name: value}, a header: everything after the colon but an auth scheme. */
    private static final Pattern HEADER = Pattern.compile("(?i)" + NAME + "(:\\s*)(?:(bearer|basic|token|digest)\\s+)?(\\S.*)");
    /** {@code scheme://user:password@host}. */
    private static final Pattern USERINFO = Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^/\\s:@]*:)([^@\\s/]+)(@)");
    /** An option that names a secret and takes it as the next argument: {@code --api-key X}. */
    private static final Pattern OPTION = Pattern.compile("(?i)-{1,2}[\\w.-]*" + SECRET + "[\\w.-]*");
    /** The same inside one argument (a shell's {@code -c "…"}): the option, then a value after spaces. */
    private static final Pattern INLINE_OPTION = Pattern.compile("(?i)(?<![\\w./-])(-{1,2}[\\w.-]*" + SECRET + "[\\w.-]*)(\\s+)([^\\s-][^\\s;&|]*)");

    private CommandLines() {
    }

    /** The arguments with every secret value replaced by {@value #HIDDEN}. */
    static List<String> redact(List<String> command) {
        List<String> shown = new ArrayList<>(command.size());
        boolean valueNext = false;
        for (String arg : command) {
            // A long option right after one is taken for the next option (the first was a flag such as --no-auth).
            boolean secret = valueNext && !arg.startsWith("--");
            shown.add(secret ? HIDDEN : redact(arg));
            valueNext = !secret && OPTION.matcher(arg).matches();
        }
        return shown;
    }

    /** One argument, or any text, with the secret values in it replaced by {@value #HIDDEN}. */
    static String redact(String text) {
        String out = USERINFO.matcher(text).replaceAll("$1" + HIDDEN + "$3");
        out = HEADER.matcher(out).replaceAll(m -> m.group(1) + m.group(2) + (m.group(3) == null ? "" : m.group(3) + " ") + HIDDEN);
        out = ASSIGNED.matcher(out).replaceAll("$1$2" + HIDDEN);
        return INLINE_OPTION.matcher(out).replaceAll("$1$2" + HIDDEN);
    }
}
