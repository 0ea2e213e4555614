package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import dev.certguard.audit.Audit;

/**
 * Refuses every CONNECT while the configuration is invalid, so a broken configuration never opens
 * the broker. Stateless; thread-safe.
 */
public final class ConfigInvalidAuthenticator implements SimpleAuthenticator {

    static final String REASON = RejectReason.CONFIG_INVALID.text();

    private final @NotNull AclMetrics metrics;
    private final @NotNull Audit audit;

    public ConfigInvalidAuthenticator(final @NotNull AclMetrics metrics, final @NotNull Audit audit) {
        this.metrics = metrics;
        this.audit = audit;
    }

    @Override
    public void onConnect(final @NotNull SimpleAuthInput input, final @NotNull SimpleAuthOutput output) {
        metrics.rejected(RejectReason.CONFIG_INVALID);
        audit.event("connect.refused")
                .reason(RejectReason.CONFIG_INVALID.metricName())
                .clientId(input.getConnectPacket().getClientId())
                .connection(input.getConnectionInformation())
                .write();
        output.failAuthentication(RejectReason.CONFIG_INVALID.reason().connackCode(), REASON);
    }
}
