package dev.certguard.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.util.List;

/**
 * A configuration file that cannot be used, with every problem found in it, each naming the file and
 * the element.
 */
public final class InvalidConfigException extends Exception {

    private final @NotNull List<String> problems;

    public InvalidConfigException(final @NotNull List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public @NotNull List<String> problems() {
        return problems;
    }
}
