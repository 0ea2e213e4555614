package dev.certguard.disconnect;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import dev.certguard.status.ExtensionStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of disconnect-extension. Its enforcement is not built yet: it loads, reports its status and
 * enforces nothing, which the README states.
 */
public final class DisconnectExtensionMain implements ExtensionMain {

    private static final Logger log = LoggerFactory.getLogger(DisconnectExtensionMain.class);
    private static final String ID = "disconnect-extension";

    @Override
    public void extensionStart(final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
        ExtensionStatus.reportRunning(Services.metricRegistry(), ID);
        log.warn("{} {} started; it does not enforce anything yet", ID, input.getExtensionInformation().getVersion());
    }

    @Override
    public void extensionStop(final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {
        ExtensionStatus.clear(Services.metricRegistry(), ID);
    }
}
