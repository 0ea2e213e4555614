package dev.certguard.testing;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.connection.ConnectionCutter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every disconnect and answers as HiveMQ would: found (true) unless told otherwise. Thread-safe. */
public final class RecordingDisconnector implements ConnectionCutter.Disconnector {

    /** One disconnect as HiveMQ's ClientService would have received it. */
    public record Disconnect(String clientId, boolean preventWill, DisconnectReasonCode code, String reason) {}

    private final List<Disconnect> disconnects = new CopyOnWriteArrayList<>();
    private volatile boolean found = true;

    /** Whether HiveMQ finds the client id (false: not registered yet). */
    public void found(final boolean found) {
        this.found = found;
    }

    @Override
    public CompletableFuture<Boolean> disconnect(
            final String clientId, final boolean preventWill, final DisconnectReasonCode code, final String reason) {
        disconnects.add(new Disconnect(clientId, preventWill, code, reason));
        return CompletableFuture.completedFuture(found);
    }

    public List<Disconnect> disconnects() {
        return List.copyOf(disconnects);
    }
}
