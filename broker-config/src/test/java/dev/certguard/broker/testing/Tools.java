package dev.certguard.broker.testing;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Real tools from Debian packages that tests drive (CA tools, client libraries). Where one is not
 * installed the test is skipped with the package to install, except under {@code CI=true}, where it
 * fails: {@code .ci/run} installs them.
 */
public final class Tools {

    private Tools() {}

    /** Whether the shell command {@code check} (e.g. {@code command -v certtool}) succeeds here. */
    public static boolean installed(final String check) {
        try {
            return Mosquitto.run(List.of("bash", "-c", check), Duration.ofSeconds(20))
                            .exitCode()
                    == 0;
        } catch (final Exception e) {
            return false;
        }
    }

    /** Skips (or under CI fails) the calling test unless {@code check} succeeds. */
    public static void require(final String check, final String debianPackage) {
        final boolean installed = installed(check);
        if (!installed && "true".equals(System.getenv("CI"))) {
            Assertions.fail("'" + check + "' fails; .ci/run installs the Debian package " + debianPackage);
        }
        Assumptions.assumeTrue(installed, "not installed: apt-get install " + debianPackage);
    }
}
