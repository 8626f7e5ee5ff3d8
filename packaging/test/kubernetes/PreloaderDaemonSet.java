import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the README promises of the preloader's DaemonSet, checked on the manifest (after the schema check). */
final class PreloaderDaemonSet {
    private PreloaderDaemonSet() {}

    static List<String> check(JsonObject daemonSet) {
        List<String> problems = new ArrayList<>();
        JsonObject template = daemonSet.getAsJsonObject("spec").getAsJsonObject("template");
        JsonObject pod = template.getAsJsonObject("spec");
        JsonObject container = ValidateManifests.container(daemonSet);

        String placement = String.valueOf(pod.get("affinity")) + pod.get("nodeSelector");
        require(problems, placement.contains("nvidia.com/gpu.present"), "not placed on GPU nodes (nodeSelector or affinity on nvidia.com/gpu.present)");
        for (JsonElement each : pod.getAsJsonArray("containers")) {
            JsonObject resources = object(each.getAsJsonObject(), "resources");
            require(problems, !object(resources, "requests").has("nvidia.com/gpu") && !object(resources, "limits").has("nvidia.com/gpu"),
                    "asks for nvidia.com/gpu, which belongs to the worker pods");
        }
        require(problems, mount(container, "/srv/models").filter(m -> m.has("readOnly") && m.get("readOnly").getAsBoolean()).isPresent()
                && hostPath(pod, mount(container, "/srv/models")), "the models folder is not a read-only hostPath at /srv/models");
        require(problems, mount(container, "/var/lib/preloader").filter(m -> !m.has("readOnly") || !m.get("readOnly").getAsBoolean()).isPresent(),
                "no writable /var/lib/preloader for the journal");
        require(problems, String.valueOf(object(object(container, "securityContext"), "capabilities").get("add")).contains("\"IPC_LOCK\""),
                "IPC_LOCK is not added");
        require(problems, tokenFromSecret(container), "PRELOADER_TOKEN does not come from a Secret");
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            require(problems, "/v1/health".equals(ValidateManifests.text(object(object(container, probe), "httpGet"), "path")),
                    probe + " is not an HTTP GET of /v1/health");
        }
        require(problems, "true".equals(ValidateManifests.text(object(object(template, "metadata"), "annotations"), "prometheus.io/scrape")),
                "the pods are not annotated prometheus.io/scrape: \"true\"");
        require(problems, pod.getAsJsonArray("volumes").asList().stream().anyMatch(v -> v.getAsJsonObject().has("configMap")),
                "the config is not mounted from a ConfigMap");
        if (mount(container, "/dev/hugepages").isPresent()) {
            JsonObject resources = object(container, "resources");
            String requested = String.valueOf(object(resources, "requests").get("hugepages-2Mi"));
            require(problems, !"null".equals(requested) && requested.equals(String.valueOf(object(resources, "limits").get("hugepages-2Mi"))),
                    "mounts /dev/hugepages without hugepages-2Mi requests equal to its limits");
        }
        return problems;
    }

    private static void require(List<String> problems, boolean holds, String problem) {
        if (!holds) {
            problems.add(problem);
        }
    }

    private static boolean tokenFromSecret(JsonObject container) {
        JsonArray env = container.has("env") ? container.getAsJsonArray("env") : new JsonArray();
        return env.asList().stream().map(JsonElement::getAsJsonObject)
                .anyMatch(e -> "PRELOADER_TOKEN".equals(ValidateManifests.text(e, "name")) && object(object(e, "valueFrom"), "secretKeyRef").has("name"));
    }

    private static Optional<JsonObject> mount(JsonObject container, String path) {
        JsonArray mounts = container.has("volumeMounts") ? container.getAsJsonArray("volumeMounts") : new JsonArray();
        return mounts.asList().stream().map(JsonElement::getAsJsonObject).filter(m -> path.equals(ValidateManifests.text(m, "mountPath"))).findFirst();
    }

    private static boolean hostPath(JsonObject pod, Optional<JsonObject> mount) {
        return mount.map(m -> ValidateManifests.text(m, "name"))
                .flatMap(name -> pod.getAsJsonArray("volumes").asList().stream().map(JsonElement::getAsJsonObject)
                        .filter(v -> name.equals(ValidateManifests.text(v, "name"))).findFirst())
                .filter(v -> v.has("hostPath")).isPresent();
    }

    private static JsonObject object(JsonObject parent, String key) {
        JsonElement value = parent == null ? null : parent.get(key);
        return value != null && value.isJsonObject() ? value.getAsJsonObject() : new JsonObject();
    }
}
