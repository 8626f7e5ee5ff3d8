package io.hive.preloader.adapters.http;

import java.net.Inet6Address;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The names a client may call this server by: the defence against DNS rebinding, where a page in the user's browser
 * points a name of its own at 127.0.0.1 and reaches the loopback API as its own origin; its requests then carry that
 * name in {@code Host}. IP literals (v4, v6) and {@code localhost} are always allowed; other names only when configured
 * (a Kubernetes Service name, say). No name is ever resolved here.
 */
final class AllowedHosts {
    static final String LOCALHOST = "localhost";
    /** Dotted-quad IPv4 only: browsers send that form, and the other spellings ({@code 127.1}, {@code 2130706433}) have no use here. */
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
    /** {@code host[:port]} or {@code [v6][:port]}; a bare v6 literal has more than one colon and is taken whole. */
    private static final Pattern AUTHORITY = Pattern.compile("(\\[[0-9a-f:.%a-z]+\\]|[^:\\[\\]]+)(?::([0-9]{1,5}))?");
    /** A DNS name as an operator lists it: labels of letters, digits and hyphens. */
    private static final Pattern NAME = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private final Set<String> names;

    /** @throws IllegalArgumentException naming a configured entry that is not a host name */
    AllowedHosts(Collection<String> configured) {
        configured.forEach(AllowedHosts::checkName);
        this.names = Stream.concat(Stream.of(LOCALHOST), configured.stream().map(n -> n.toLowerCase(Locale.ROOT))).collect(Collectors.toUnmodifiableSet());
    }

    static void checkName(String name) {
        if (!NAME.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
            throw new IllegalArgumentException("http allowed host " + Errors.quoted(name)
                    + " is not a host name (letters, digits, hyphens and dots; no port, no scheme, no wildcard)");
        }
    }

    /** Whether a {@code Host} header's value (a name or an IP literal, with or without a port) names this server. */
    boolean allows(String authority) {
        return hostOf(authority).filter(h -> names.contains(h) || literal(h)).isPresent();
    }

    /**
     * Whether an {@code Origin} is this server as the client addressed it: the same scheme, and the same host and port
     * as the request's {@code Host}, which must be allowed itself. {@code null} (a sandboxed or privacy-minded origin)
     * and anything with a path are refused.
     */
    boolean allowsOrigin(String origin, String host, String scheme) {
        String prefix = scheme + "://";
        if (!origin.regionMatches(true, 0, prefix, 0, prefix.length()) || !allows(host)) {
            return false;
        }
        Optional<String> from = normal(origin.substring(prefix.length()), scheme);
        return from.isPresent() && from.equals(normal(host, scheme));
    }

    /** The host of an authority, lowercased, without brackets or port; empty when it is malformed. */
    static Optional<String> hostOf(String authority) {
        return parse(authority).map(m -> unbracket(m.group(1)));
    }

    private static Optional<Matcher> parse(String authority) {
        if (authority == null) {
            return Optional.empty();
        }
        String a = authority.strip().toLowerCase(Locale.ROOT);
        if (a.indexOf(':') != a.lastIndexOf(':') && !a.startsWith("[")) {
            a = "[" + a + "]";
        }
        Matcher m = AUTHORITY.matcher(a);
        return m.matches() && !m.group(1).isEmpty() ? Optional.of(m) : Optional.empty();
    }

    /** {@code host:port} with the scheme's default port left out, for comparing an Origin with a Host. */
    private static Optional<String> normal(String authority, String scheme) {
        return parse(authority).map(m -> {
            String port = m.group(2);
            boolean standard = port == null || port.equals(scheme.equals("https") ? "443" : "80");
            return m.group(1) + (standard ? "" : ":" + Integer.parseInt(port));
        });
    }

    private static String unbracket(String host) {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    private static boolean literal(String host) {
        if (IPV4.matcher(host).matches()) {
            return true;
        }
        if (host.indexOf(':') < 0) {
            return false;
        }
        try {
            return Inet6Address.ofLiteral(host) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
