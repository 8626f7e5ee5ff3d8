package io.hive.preloader.adapters.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Secrets in a worker's command line, hidden by the name in front of them wherever they sit. */
class CommandLinesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--api-key=sk-123                              | --api-key=<hidden>",
            "--token=abc                                   | --token=<hidden>",
            "-api_key=abc                                  | -api_key=<hidden>",
            "HF_TOKEN=hf_abc                               | HF_TOKEN=<hidden>",
            "--password:pw                                 | --password:<hidden>",
            "Authorization: Bearer abc                     | Authorization: Bearer <hidden>",
            "--header=Authorization: Basic dXNlcjpwdw==    | --header=Authorization: Basic <hidden>",
            "-HAuthorization: token abc                    | -HAuthorization: token <hidden>",
            "x-api-key: k1                                 | x-api-key: <hidden>",
            "Cookie: session=a; other=b                    | Cookie: <hidden>",
            "https://user:pw@models.example/x.gguf         | https://user:<hidden>@models.example/x.gguf",
            "https://models.example/x?token=abc&n=1        | https://models.example/x?token=<hidden>&n=1",
            "llama-server --api-key sk-1 --port 8080       | llama-server --api-key <hidden> --port 8080",
            "exec ./worker --hf-token hf_x -m {model}      | exec ./worker --hf-token <hidden> -m {model}"})
    void shouldHideTheValueOfEveryNamedSecretInOneArgument(String arg, String shown) {
        assertThat(CommandLines.redact(arg)).isEqualTo(shown);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"llama-server", "-m", "{model}", "/srv/models/monkey:7b.gguf", "llama3:8b", "--ctx-size=4096",
            "--port", "8080", "--n-gpu-layers=99", "ready on $1"})
    void shouldLeaveEverythingElseAsItIs(String arg) {
        assertThat(CommandLines.redact(arg)).isEqualTo(arg);
    }

    @Test
    void shouldHideTheArgumentAfterAnOptionThatNamesASecret() {
        List<String> command = List.of("llama-server", "-m", "{model}", "--api-key", "sk-123", "--port", "8080", "-H", "Authorization: Bearer zz",
                "--no-auth", "--port", "1", "--token");

        assertThat(CommandLines.redact(command)).containsExactly("llama-server", "-m", "{model}", "--api-key", "<hidden>", "--port", "8080",
                "-H", "Authorization: Bearer <hidden>", "--no-auth", "--port", "1", "--token");
    }
}
