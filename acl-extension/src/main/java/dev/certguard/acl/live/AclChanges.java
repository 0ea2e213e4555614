package dev.certguard.acl.live;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Says in one line what a new acl-extension configuration changes, for the reload's INFO line.
 * Stateless; thread-safe.
 */
public final class AclChanges {

    private AclChanges() {}

    /** The changes from {@code previous} to {@code next}, or {@code null} when there are none. */
    public static @Nullable String describe(final @NotNull AclConfig previous, final @NotNull AclConfig next) {
        final List<String> changes = new ArrayList<>();
        final TreeSet<String> added = new TreeSet<>(next.services().keySet());
        added.removeAll(previous.services().keySet());
        final TreeSet<String> removed = new TreeSet<>(previous.services().keySet());
        removed.removeAll(next.services().keySet());
        final TreeSet<String> changed = new TreeSet<>();
        for (final ServiceRule before : previous.services().values()) {
            final ServiceRule after = next.service(before.identity());
            if (after != null && !same(before, after)) {
                changed.add(before.identity());
            }
        }
        if (!added.isEmpty()) {
            changes.add("services added " + added);
        }
        if (!removed.isEmpty()) {
            changes.add("services removed " + removed);
        }
        if (!changed.isEmpty()) {
            changes.add("services changed " + changed);
        }
        if (previous.requireClientIdEqualsIdentity() != next.requireClientIdEqualsIdentity()) {
            changes.add("require-client-id-equals-identity " + next.requireClientIdEqualsIdentity());
        }
        if (!previous.usernameIdentityListeners().equals(next.usernameIdentityListeners())) {
            changes.add("username-identity-listeners " + new TreeSet<>(next.usernameIdentityListeners()));
        }
        if (!previous.fleetAudit().equals(next.fleetAudit())) {
            changes.add(next.fleetAudit().toString());
        }
        return changes.isEmpty() ? null : String.join("; ", changes);
    }

    private static boolean same(final ServiceRule a, final ServiceRule b) {
        return Objects.equals(a.certificateSha256(), b.certificateSha256())
                && a.publish().equals(b.publish())
                && a.subscribe().equals(b.subscribe())
                && a.allowUsernameIdentity() == b.allowUsernameIdentity();
    }
}
