package dev.certguard.broker.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Partition CRLs made by python3-cryptography ({@code src/test/resources/crl/partition.py}), as AWS
 * Private CA makes them: DER, a critical Issuing Distribution Point naming the partition's URL; with
 * {@code --freshest URL} a base naming its deltas, with {@code --delta-base N} a delta. Stateless.
 */
public final class PartitionScript {

    private static final Path SCRIPT = Path.of("src/test/resources/crl/partition.py");

    private PartitionScript() {}

    /** Writes to {@code out} the CRL of partition {@code url}, numbered {@code number}, revoking {@code revoked}. */
    public static void make(
            final TestPki pki,
            final List<String> options,
            final String url,
            final int number,
            final Path out,
            final Credentials... revoked)
            throws Exception {
        final List<String> command = new ArrayList<>(List.of("/usr/bin/python3", SCRIPT.toString()));
        command.addAll(options);
        command.addAll(List.of(
                pki.devPki().caCertificate().toString(),
                pki.devPki().caKey().toString(),
                url,
                Integer.toString(number),
                out.toString()));
        for (final Credentials device : revoked) {
            command.add(device.certificate().getSerialNumber().toString());
        }
        final Mosquitto.Result made = Mosquitto.run(command, Duration.ofSeconds(30));
        assertThat(made.exitCode()).as(made.output()).isZero();
    }
}
