import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.JSON;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validates Kubernetes manifests offline against the API of one Kubernetes version, strictly: every object goes
 * through the official Java client's generated models (from that version's OpenAPI document), which refuse unknown
 * fields, missing required fields and values of the wrong type, as {@code kubectl apply --validate=strict} would.
 * Then the preloader's DaemonSet is held to what the README promises of it (GPU nodes, no GPU requested, models
 * read-only, IPC_LOCK, token from a Secret, probes on /v1/health, scrape annotations; huge pages when the config
 * says hugepages). {@code --self-test} first plants one violation of each kind and fails unless both are caught.
 *
 * <p>Usage: {@code java -cp CLASSPATH ValidateManifests.java --kubernetes 1.NN [--self-test] FILE.yaml…}
 */
public class ValidateManifests {
    /** The API groups of the kinds these manifests use; a kind not listed is an error, not a silent pass. */
    private static final Map<String, String> GROUPS = Map.of(
            "Namespace", "", "ConfigMap", "", "Service", "", "Secret", "", "ServiceAccount", "",
            "DaemonSet", "apps", "Deployment", "apps");

    public static void main(String[] args) throws IOException {
        String kubernetes = null;
        boolean selfTest = false;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--kubernetes" -> kubernetes = args[++i];
                case "--self-test" -> selfTest = true;
                default -> files.add(Path.of(args[i]));
            }
        }
        if (kubernetes == null || files.isEmpty()) {
            System.err.println("usage: ValidateManifests --kubernetes 1.NN [--self-test] FILE.yaml…");
            System.exit(2);
        }
        new JSON(); // installs the client's Gson with its type adapters (IntOrString, Quantity, dates)
        List<String> problems = new ArrayList<>();
        int objects = 0;
        for (Path file : files) {
            for (Object doc : new Yaml(new LoaderOptions()).loadAll(Files.readString(file))) {
                if (doc == null) {
                    continue;
                }
                objects++;
                JsonObject object = JSON.getGson().toJsonTree(doc).getAsJsonObject();
                if (selfTest && isDaemonSet(object)) {
                    selfTest(object);
                    selfTest = false;
                }
                problems.addAll(check(file, object));
            }
        }
        String version = "kubernetes " + kubernetes;
        problems.forEach(p -> System.out.println(version + ": " + p));
        System.out.println(version + ": " + objects + " objects in " + files.size() + " files, "
                + problems.size() + " problems");
        System.exit(problems.isEmpty() && objects > 0 ? 0 : 1);
    }

    private static List<String> check(Path file, JsonObject object) {
        List<String> problems = new ArrayList<>(schema(object).stream().map(p -> file + ": " + p).toList());
        if (problems.isEmpty() && isDaemonSet(object)) {
            problems.addAll(PreloaderDaemonSet.check(object).stream().map(p -> file + ": DaemonSet " + name(object) + ": " + p).toList());
        }
        return problems;
    }

    /** The object read through the generated model of its kind, which refuses what that Kubernetes version would. */
    static List<String> schema(JsonObject object) {
        String apiVersion = text(object, "apiVersion");
        String kind = text(object, "kind");
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            return List.of("an object without apiVersion or kind");
        }
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        if (!GROUPS.containsKey(kind)) {
            return List.of(kind + ": not a kind this validator knows (add its API group to GROUPS)");
        }
        if (!GROUPS.get(kind).equals(group)) {
            return List.of(kind + " " + name(object) + ": apiVersion " + apiVersion + " is not in group '" + GROUPS.get(kind) + "'");
        }
        String model = "io.kubernetes.client.openapi.models." + Character.toUpperCase(version.charAt(0)) + version.substring(1) + kind;
        Class<?> type;
        try {
            type = Class.forName(model);
        } catch (ClassNotFoundException e) {
            return List.of(kind + " " + name(object) + ": " + apiVersion + " " + kind + " does not exist in this Kubernetes version");
        }
        if (name(object).isEmpty()) {
            return List.of(kind + ": metadata.name is missing");
        }
        try {
            JSON.getGson().fromJson(object, type);
            return List.of();
        } catch (RuntimeException e) {
            return List.of(kind + " " + name(object) + ": " + firstLine(e));
        }
    }

    /** Plants an unknown field and a GPU request into a copy; each must be caught, or the checks prove nothing. */
    private static void selfTest(JsonObject daemonSet) {
        JsonObject unknownField = daemonSet.deepCopy();
        container(unknownField).addProperty("imagePullPolicyy", "Always");
        JsonObject gpu = daemonSet.deepCopy();
        JsonObject resources = container(gpu).getAsJsonObject("resources");
        JsonObject limits = resources.has("limits") ? resources.getAsJsonObject("limits") : new JsonObject();
        limits.addProperty("nvidia.com/gpu", "1");
        resources.add("limits", limits);
        boolean caught = !schema(unknownField).isEmpty() && !PreloaderDaemonSet.check(gpu).isEmpty();
        System.out.println("self-test: a planted unknown field and a planted GPU request are " + (caught ? "caught" : "NOT caught"));
        if (!caught) {
            System.exit(1);
        }
    }

    static JsonObject container(JsonObject daemonSet) {
        return daemonSet.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec")
                .getAsJsonArray("containers").get(0).getAsJsonObject();
    }

    private static boolean isDaemonSet(JsonObject object) {
        return text(object, "kind").equals("DaemonSet");
    }

    static String name(JsonObject object) {
        JsonElement metadata = object.get("metadata");
        return metadata != null && metadata.isJsonObject() ? text(metadata.getAsJsonObject(), "name") : "";
    }

    static String text(JsonObject object, String key) {
        JsonElement value = object.get(key);
        return value != null && value.isJsonPrimitive() ? value.getAsString() : "";
    }

    private static String firstLine(RuntimeException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        int end = message.indexOf(". JSON:");
        return (end > 0 ? message.substring(0, end) : message).lines().findFirst().orElse(message);
    }
}
