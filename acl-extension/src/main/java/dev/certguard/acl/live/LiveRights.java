package dev.certguard.acl.live;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import dev.certguard.acl.auth.AclMetrics;
import dev.certguard.acl.auth.AclRuntime;
import dev.certguard.acl.auth.ClientIdNamespace;
import dev.certguard.acl.auth.Grants;
import dev.certguard.acl.auth.Principal;
import dev.certguard.acl.auth.RejectReason;
import dev.certguard.acl.auth.Resolution;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.audit.Audit;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionObserver;
import dev.certguard.identity.DeviceIdentity;
import dev.certguard.identity.InvalidIdentityException;
import dev.certguard.reason.Reason;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Keeps what each connected identity was granted at CONNECT and enforces configuration changes on
 * live sessions. When a reload narrows what a connection holds (its service removed, a filter
 * dropped, a pin it no longer matches, a client-id or listener rule it no longer meets), the
 * subscriptions of its session that the new rights do not cover are removed and the connection is
 * cut (DISCONNECT 0x98 Administrative action, no will). Sessions of a narrowed service that are not
 * connected lose their forbidden subscriptions too, and their queued messages are filtered on
 * delivery ({@link DeliveryFilter}), so a session resumed with clean start false receives nothing
 * the new rights forbid. Widened rights apply at the next CONNECT (HiveMQ fixes a connection's
 * permissions when it authenticates). A connection that authenticated under the old configuration
 * but reports its authentication after the reload is checked then. Also counts the publishes HiveMQ
 * refused (a server-initiated NOT_AUTHORIZED disconnect), so acl-extension needs one listener.
 * Thread-safe: records live in a concurrent set; configurations are immutable.
 */
public final class LiveRights implements ConnectionObserver<LiveRights.Granted> {

    public static final Reason SERVICE_REMOVED = Reason.disconnect(
            DisconnectReasonCode.ADMINISTRATIVE_ACTION,
            null,
            "service {service} was removed from the configuration",
            "A reload removed the service a connection was recognised as.");
    public static final Reason NARROWED = Reason.disconnect(
            DisconnectReasonCode.ADMINISTRATIVE_ACTION,
            null,
            "the rights of {identity} were narrowed by a configuration change",
            "A reload took away rights the connection holds (its subscriptions the new rights forbid are"
                    + " removed from its session).");
    public static final Reason NOW_REFUSED = Reason.disconnect(
            DisconnectReasonCode.ADMINISTRATIVE_ACTION,
            null,
            "{refusal}",
            "After a reload the connection's CONNECT would be refused; the string is that CONNACK's reason"
                    + " string (e.g. a new certificate-sha256 pin, require-client-id-equals-identity).");

    /** Why a connection may not keep what it holds: the DISCONNECT reason and its string. */
    private static final class Problem {
        final @NotNull Reason reason;
        final @NotNull String text;

        Problem(final @NotNull Reason reason, final @NotNull String text) {
            this.reason = reason;
            this.text = text;
        }
    }

    private static final SafeLog log = SafeLog.of(LiveRights.class);
    private static final String PUBLISH_REFUSAL = "Not authorized to publish";

    /** One authenticated connection and the rights HiveMQ holds for it. */
    public static final class Granted {
        final @NotNull Connection connection;
        final @NotNull Principal principal;

        Granted(final @NotNull Connection connection, final @NotNull Principal principal) {
            this.connection = connection;
            this.principal = principal;
        }
    }

    private final Set<Granted> live = ConcurrentHashMap.newKeySet();
    private final Set<String> narrowed = ConcurrentHashMap.newKeySet();
    private final @NotNull Supplier<AclRuntime> runtime;
    private final @NotNull Grants grants;
    private final @NotNull ConnectionCutter cutter;
    private final @NotNull SessionSubscriptions subscriptions;
    private final @NotNull AclMetrics metrics;
    private final @NotNull Audit audit;

    public LiveRights(
            final @NotNull Supplier<AclRuntime> runtime,
            final @NotNull Grants grants,
            final @NotNull ConnectionCutter cutter,
            final @NotNull SessionSubscriptions subscriptions,
            final @NotNull AclMetrics metrics,
            final @NotNull Audit audit) {
        this.audit = audit;
        this.runtime = runtime;
        this.grants = grants;
        this.cutter = cutter;
        this.subscriptions = subscriptions;
        this.metrics = metrics;
    }

    @Override
    public @Nullable Granted authenticated(final @NotNull Connection connection) {
        final AclRuntime now = runtime.get();
        Principal principal = grants.take(connection.clientId());
        if (principal == null) {
            final Resolution resolution = resolve(now, connection);
            principal = resolution.principal();
            if (principal == null) {
                // This configuration would refuse the connection: a reload came between CONNECT and now.
                cut(connection, new Problem(NOW_REFUSED, NOW_REFUSED.text(resolution.detail())));
                return null;
            }
        }
        final Granted record = new Granted(connection, principal);
        live.add(record);
        // A reload that came between this connection's CONNECT and now was applied without it: read
        // the configuration in force only now that every later reload's sweep sees the record.
        final AclRuntime latest = runtime.get();
        final Problem problem = problem(record, latest);
        if (problem != null) {
            cut(connection, problem);
        }
        now.resolver().forget(connection.leaf());
        if (latest != now) {
            latest.resolver().forget(connection.leaf());
        }
        return record;
    }

    @Override
    public void ended(final @NotNull Connection connection, final @Nullable Granted record) {
        if (record != null) {
            live.remove(record);
        }
    }

    @Override
    public void serverDisconnected(final @NotNull ServerInitiatedDisconnectInput input) {
        if (isPublishRefusal(input)) {
            metrics.publishDenied();
            final String reason = input.getReasonString().orElse("");
            audit.event("publish.denied")
                    .reason("not-authorized")
                    .clientId(input.getClientInformation().getClientId())
                    .topic(quotedTopic(reason))
                    .connection(input.getConnectionInformation())
                    .write();
        }
    }

    /** Whether HiveMQ ended the connection because it refused a PUBLISH (the identity's permissions). */
    public static boolean isPublishRefusal(final @NotNull ServerInitiatedDisconnectInput input) {
        return input.getReasonCode().orElse(null) == DisconnectedReasonCode.NOT_AUTHORIZED
                && input.getReasonString()
                        .map(reason -> reason.startsWith(PUBLISH_REFUSAL))
                        .orElse(false);
    }

    /** The topic in HiveMQ's "Not authorized to publish on topic 'x' with QoS ..." reason string. */
    static @Nullable String quotedTopic(final @NotNull String reason) {
        final String start = "topic '";
        final int from = reason.indexOf(start);
        final int to = reason.lastIndexOf("' with QoS");
        return from < 0 || to < from + start.length() ? null : reason.substring(from + start.length(), to);
    }

    /**
     * Enforces {@code next} (already in force for new CONNECTs) on live connections and stored
     * sessions; returns how many connections are being cut.
     */
    public int applied(final @NotNull AclRuntime previous, final @NotNull AclRuntime next) {
        final Set<String> lost = narrowedServices(previous.config(), next.config());
        narrowed.addAll(lost);
        // Where identities come from (certificate or username) is unchanged: a device's identity, and so
        // its rights, are what they were, and its certificate need not be read again.
        final boolean sameIdentitySources = previous.config()
                .usernameIdentityListeners()
                .equals(next.config().usernameIdentityListeners());
        int cuts = 0;
        for (final Granted record : live) {
            try {
                final Problem problem = sameIdentitySources
                                && !record.principal.isService()
                                && next.config().service(record.principal.name()) == null
                        ? problem(record.connection, record.principal, record.principal, next)
                        : problem(record, next);
                // The resolution read for this check is not kept (the connection's CONNECT is long past).
                next.resolver().forget(record.connection.leaf());
                if (problem != null) {
                    cuts++;
                    cut(record.connection, problem);
                }
            } catch (final RuntimeException e) {
                // One connection's failure must not leave the others unchecked under the new rules.
                log.warn(
                        "acl-extension: could not apply the new configuration to {}: {}",
                        record.connection.describe(),
                        e.toString());
            }
        }
        if (!lost.isEmpty()) {
            pruneStoredSessions(lost);
        }
        return cuts;
    }

    /** Whether sessions of {@code identity} may hold messages its rights no longer cover. */
    public boolean isNarrowed(final @NotNull String identity) {
        return narrowed.contains(identity);
    }

    public int tracked() {
        return live.size();
    }

    /** Services whose rights {@code next} takes away (removed, or a filter no longer covered). */
    static @NotNull Set<String> narrowedServices(final @NotNull AclConfig previous, final @NotNull AclConfig next) {
        final Set<String> lost = new HashSet<>();
        for (final ServiceRule before : previous.services().values()) {
            final ServiceRule after = next.service(before.identity());
            if (after == null || !Principal.service(after).covers(Principal.service(before))) {
                lost.add(before.identity());
            }
        }
        return lost;
    }

    /** Why {@code next} would not let this connection keep what it holds, or {@code null} when it would. */
    private @Nullable Problem problem(final Granted record, final AclRuntime next) {
        final Connection connection = record.connection;
        final Resolution resolution = resolve(next, connection);
        final Principal now = resolution.principal();
        final Principal held = record.principal;
        if (now == null) {
            if (held.isService() && next.config().service(held.name()) == null) {
                return new Problem(SERVICE_REMOVED, SERVICE_REMOVED.text(held.name()));
            }
            return new Problem(NOW_REFUSED, NOW_REFUSED.text(resolution.detail()));
        }
        return problem(connection, now, held, next);
    }

    /** Why {@code next} would not let a connection that is now {@code now} keep {@code held}, or {@code null}. */
    private static @Nullable Problem problem(
            final Connection connection, final Principal now, final Principal held, final AclRuntime next) {
        final String clientId = connection.clientId();
        if (next.config().requireClientIdEqualsIdentity() && !clientId.equals(now.name())) {
            return new Problem(NOW_REFUSED, NOW_REFUSED.text(RejectReason.CLIENT_ID_MISMATCH.text(now.name())));
        }
        if (!ClientIdNamespace.isBound(now.name(), clientId)) {
            return new Problem(NOW_REFUSED, NOW_REFUSED.text(RejectReason.CLIENT_ID_NOT_BOUND.text(now.name())));
        }
        if (!now.covers(held)) {
            return new Problem(NARROWED, NARROWED.text(held.name()));
        }
        return null;
    }

    private static Resolution resolve(final AclRuntime runtime, final Connection connection) {
        // On a username-identity listener the username was the identity, which owns the client id.
        return runtime.resolver().resolve(connection.listener(), connection.leaf(), owner(connection.clientId()));
    }

    /** The identity that owns a broker-side client id ({@link ClientIdNamespace}). */
    static @NotNull String owner(final @NotNull String clientId) {
        final int slash = clientId.indexOf('/');
        return slash < 0 ? clientId : clientId.substring(0, slash);
    }

    private void cut(final Connection connection, final Problem problem) {
        final String reason = problem.text;
        if (connection.ended() || connection.cutPending()) {
            return;
        }
        metrics.liveDisconnect();
        audit.event("connection.cut").reason(reason).connection(connection).write();
        log.warn("acl-extension: disconnecting {} after a configuration change: {}", connection.describe(), reason);
        final AclRuntime next = runtime.get();
        final Principal allowed = resolve(next, connection).principal();
        pruneSession(connection.clientId(), allowed)
                .exceptionally(e -> null)
                .thenRun(() -> cutter.cut(connection, new ConnectionCutter.Cut(problem.reason, reason, true)));
    }

    /** Removes from one session every subscription {@code allowed} (null: nobody) does not cover. */
    private CompletableFuture<Void> pruneSession(final String clientId, final @Nullable Principal allowed) {
        return subscriptions.of(clientId).thenCompose(filters -> remove(clientId, filters, allowed));
    }

    private CompletableFuture<Void> remove(
            final String clientId, final Set<String> filters, final @Nullable Principal allowed) {
        return remove(clientId, forbidden(filters, allowed));
    }

    private static Set<String> forbidden(final Set<String> filters, final @Nullable Principal allowed) {
        final Set<String> forbidden = new HashSet<>();
        for (final String filter : filters) {
            if (allowed == null || !allowed.maySubscribe(filter)) {
                forbidden.add(filter);
            }
        }
        return forbidden;
    }

    private CompletableFuture<Void> remove(final String clientId, final Set<String> forbidden) {
        if (forbidden.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        metrics.subscriptionsRemoved(forbidden.size());
        log.info(
                "acl-extension: removing {} subscription(s) no longer allowed from the session of client id '{}': {}",
                forbidden.size(),
                UntrustedText.escape(clientId),
                UntrustedText.escape(String.join(", ", forbidden)));
        return subscriptions.remove(clientId, Collections.unmodifiableSet(forbidden));
    }

    /**
     * At start: removes from the stored sessions of services (and of identities that are neither a
     * configured service nor a device, such as a service removed while the broker was down) every
     * subscription the configuration in force does not cover, and filters their queued messages on
     * delivery, since the configuration may have changed while the broker was stopped. Device
     * sessions are left alone: a device's rights follow from its identity, never from the file.
     */
    public @NotNull CompletableFuture<Void> pruneStoredSessionsAtStart() {
        final AclConfig config = runtime.get().config();
        return subscriptions.forEach((clientId, filters) -> {
            final String owner = owner(clientId);
            final ServiceRule rule = config.service(owner);
            if (rule == null && isDevice(owner)) {
                return;
            }
            final Set<String> forbidden = forbidden(filters, rule == null ? null : Principal.service(rule));
            if (!forbidden.isEmpty()) {
                narrowed.add(owner);
                remove(clientId, forbidden);
            }
        });
    }

    private static boolean isDevice(final String identity) {
        try {
            DeviceIdentity.parse(identity);
            return true;
        } catch (final InvalidIdentityException e) {
            return false;
        }
    }

    /** Removes forbidden subscriptions from every stored session of the narrowed services. */
    private void pruneStoredSessions(final Set<String> services) {
        final AclConfig config = runtime.get().config();
        final AtomicInteger sessions = new AtomicInteger();
        subscriptions
                .forEach((clientId, filters) -> {
                    final String owner = owner(clientId);
                    if (services.contains(owner)) {
                        sessions.incrementAndGet();
                        final ServiceRule rule = config.service(owner);
                        remove(clientId, filters, rule == null ? null : Principal.service(rule));
                    }
                })
                .whenComplete((ignored, e) -> {
                    if (e != null) {
                        log.warn(
                                "acl-extension: could not check every stored session of {} after a configuration change: {}",
                                services,
                                e.toString());
                    }
                });
    }
}
