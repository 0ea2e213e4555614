package dev.certguard.broker;

import java.util.List;

/** The broker did not start, or was stopped at once because certguard could not protect it. */
public final class BrokerStartException extends Exception {

    private final List<String> problems;

    public BrokerStartException(final List<String> problems, final Throwable cause) {
        super(String.join("; ", problems), cause);
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
