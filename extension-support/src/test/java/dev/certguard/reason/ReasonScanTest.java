package dev.certguard.reason;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No extension code hands HiveMQ a reason code or reason string of its own making: every CONNACK,
 * PUBACK, SUBACK and DISCONNECT code and string comes from a {@link Reason} definition (DISCONNECTs
 * are typed so by the connection model), which the reference documentation lists.
 */
class ReasonScanTest {

    private static final List<String> MODULES = List.of(
            "extension-support",
            "connection-model",
            "acl-extension",
            "disconnect-extension",
            "crl-extension",
            "broker-config");
    /** An SDK call that sends a code and a string, given an SDK constant or a string literal directly. */
    private static final Pattern DIRECT = Pattern.compile(
            "(failAuthentication|failAuthorization|preventPublishDelivery|\\.async)\\s*\\([^;]*"
                    + "((ConnackReasonCode|AckReasonCode|SubackReasonCode|DisconnectReasonCode)\\.[A-Z]|\")",
            Pattern.DOTALL);

    @Test
    void every_reason_sent_comes_from_a_definition() throws IOException {
        final List<String> offenders = new ArrayList<>();
        int scanned = 0;
        for (final String module : MODULES) {
            try (Stream<Path> files = Files.walk(Path.of("..", module, "src", "main", "java"))) {
                for (final Path file :
                        (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                    scanned++;
                    if (DIRECT.matcher(Files.readString(file)).find()) {
                        offenders.add(file.toString());
                    }
                }
            }
        }
        assertThat(scanned).as("source files scanned").isGreaterThan(50);
        assertThat(offenders)
                .as("files sending a reason that is not a Reason definition")
                .isEmpty();
    }

    @Test
    void the_scan_recognises_a_code_or_string_of_its_own_making() {
        assertThat(DIRECT.matcher("output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, REASON);")
                        .find())
                .isTrue();
        assertThat(DIRECT.matcher("output.failAuthorization(code, \"no\");").find())
                .isTrue();
        assertThat(DIRECT.matcher("output.failAuthentication(reason.connackCode(), reason.text());")
                        .find())
                .isFalse();
    }
}
