package dev.certguard.broker.disconnect;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices that connect together are spread out when they are disconnected: a 4 s lifetime with 50 %
 * jitter ends each connection between 2 and 4 s after it began, not all at once.
 */
class JitterEndToEndTest {

    @TempDir
    static Path dir;

    @AutoClose
    static TestBroker broker;

    static TestPki pki;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "disconnect-extension",
                        """
                        <disconnect-extension>
                            <max-connection-lifetime-seconds>4</max-connection-lifetime-seconds>
                            <jitter-percent>50</jitter-percent>
                        </disconnect-extension>""")
                .start();
    }

    @Test
    void lifetimes_of_devices_connected_together_are_spread_within_the_jitter_bounds() throws Exception {
        final List<Disconnects.Watched<Mqtt3BlockingClient>> clients = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            clients.add(Disconnects.mqtt3(broker, pki.client("admin:herd" + i), "herd" + i));
        }
        final List<Duration> lifetimes = new ArrayList<>();
        for (final var client : clients) {
            lifetimes.add(client.awaitEnd(Duration.ofSeconds(15)).after());
        }

        assertThat(lifetimes)
                .allSatisfy(d -> assertThat(d).isBetween(Duration.ofMillis(1700), Duration.ofMillis(5200)));
        final Duration spread = lifetimes.stream()
                .max(Duration::compareTo)
                .orElseThrow()
                .minus(lifetimes.stream().min(Duration::compareTo).orElseThrow());
        assertThat(spread).as("spread of %s", lifetimes).isGreaterThan(Duration.ofMillis(500));
    }
}
