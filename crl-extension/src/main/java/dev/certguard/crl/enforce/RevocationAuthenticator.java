package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import dev.certguard.audit.Audit;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.ocsp.OcspAnswer;
import dev.certguard.crl.ocsp.OcspChecks;
import dev.certguard.crl.ocsp.OcspFailure;
import dev.certguard.crl.ocsp.OcspStatuses;
import dev.certguard.crl.path.CertificatePath;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.DiscoveredCrls;
import dev.certguard.crl.state.RevocationSnapshot;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.reason.Reason;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs first at every CONNECT: refuses certificates on the operator's deny list, checks each certificate of the presented chain against its issuer's
 * CRL in the current snapshot (one hash lookup each, no I/O, no lock), refuses revoked ones and,
 * by {@code when-unavailable}, ones whose issuer has no current CRL; otherwise passes the CONNECT on
 * to the next extension (acl-extension decides identity and rights). Stateless; thread-safe.
 */
public final class RevocationAuthenticator implements SimpleAuthenticator {

    private static final SafeLog log = SafeLog.of(RevocationAuthenticator.class);

    private final @NotNull RevocationState state;
    private final @NotNull CrlMetrics metrics;
    private final @NotNull Supplier<CrlRuntime> runtime;
    private final @NotNull Clock clock;
    private final @NotNull Audit audit;
    private final @Nullable DiscoveredCrls discovered;
    private final @NotNull Executor continuations;

    /**
     * @param runtime the configuration, CAs and deny list in force, read once per CONNECT
     */
    public RevocationAuthenticator(
            final @NotNull RevocationState state,
            final @NotNull CrlMetrics metrics,
            final @NotNull Supplier<CrlRuntime> runtime,
            final @NotNull Clock clock,
            final @NotNull Audit audit) {
        this(state, metrics, runtime, clock, audit, null, Runnable::run);
    }

    /**
     * @param discovered the distribution points discovered in client certificates, which a CONNECT
     *     lacking a CRL waits for (asynchronously); {@code null} for none
     * @param continuations where a CONNECT that waited for them is decided (the extension executor)
     */
    public RevocationAuthenticator(
            final @NotNull RevocationState state,
            final @NotNull CrlMetrics metrics,
            final @NotNull Supplier<CrlRuntime> runtime,
            final @NotNull Clock clock,
            final @NotNull Audit audit,
            final @Nullable DiscoveredCrls discovered,
            final @NotNull Executor continuations) {
        this.discovered = discovered;
        this.continuations = continuations;
        this.audit = audit;
        this.state = state;
        this.metrics = metrics;
        this.runtime = runtime;
        this.clock = clock;
    }

    @Override
    public void onConnect(final @NotNull SimpleAuthInput input, final @NotNull SimpleAuthOutput output) {
        final String clientId = input.getConnectPacket().getClientId();
        final CrlRuntime current = runtime.get();
        final CertificatePath path = ConnectionChain.of(input.getConnectionInformation(), current.authorities());
        if (path != null) {
            final X509Certificate leaf = path.leaf();
            final String listener = input.getConnectionInformation()
                    .getListener()
                    .map(Listener::getName)
                    .orElse("-");
            final String denied = current.denyList().denies(leaf);
            if (denied != null) {
                metrics.rejectedDenied();
                log.warn(
                        "crl-extension refused CONNECT: certificate denied by operator ({}); identity '{}', client id '{}', listener {}, certificate sha256 {}",
                        UntrustedText.escape(denied),
                        CertificateIdentity.commonNameForLog(leaf),
                        UntrustedText.escape(clientId),
                        listener,
                        CertificateIdentity.sha256Fingerprint(leaf));
                refuse(input, output, CrlReasons.DENIED, leaf);
                return;
            }
            final RevocationSnapshot snapshot = state.snapshot();
            final RevocationSnapshot.Status status =
                    snapshot.check(path, clock.instant(), current.config().gracePeriod());
            final DiscoveredCrls discovery = discovered;
            if (discovery != null && discovery.enabled()) {
                final List<URI> urls = path.distributionPoints();
                CompletableFuture<Void> fetching = null;
                if (status.revoked() == null && status.unknownIssuer() == null) {
                    if (status.unavailableIssuer() != null) {
                        fetching = discovery.ensure(urls);
                    }
                    if (fetching == null) {
                        // A complete CRL that names its deltas, none applied yet: fetch it before deciding.
                        fetching = discovery.ensureDeltas(snapshot.missingDeltas(
                                path, clock.instant(), current.config().gracePeriod()));
                    }
                }
                if (fetching != null) {
                    awaitDiscovery(input, output, current, path, listener, fetching);
                    return;
                }
                discovery.touch(urls);
            }
            if (crlAdmits(input, output, current, path, listener, status)) {
                ocspOrNext(input, output, current, path, listener, null);
            }
            return;
        }
        output.nextExtensionOrDefault();
    }

    /**
     * Suspends the CONNECT (no thread waits) until the distribution points it needs are loaded or
     * {@code http-timeout-seconds} passes, then decides it on the CRLs in use then: an unavailable
     * status follows {@code when-unavailable} (our own timer, so {@code allow} is honoured; the SDK's
     * timeout, later, is a fail-closed safety net), and OCSP runs after, within the same suspension.
     */
    private void awaitDiscovery(
            final SimpleAuthInput input,
            final SimpleAuthOutput output,
            final CrlRuntime current,
            final CertificatePath path,
            final String listener,
            final CompletableFuture<Void> fetching) {
        metrics.discoveredWait();
        final Duration timeout = current.config().httpTimeout();
        Duration safety = timeout.plusSeconds(2);
        if (current.ocsp() != null) {
            safety = safety.plus(current.config().ocsp().timeout());
        }
        final Async<SimpleAuthOutput> async = output.async(
                safety, TimeoutFallback.FAILURE, CrlReasons.UNAVAILABLE.connackCode(), CrlReasons.UNAVAILABLE.text());
        // Decided on an executor thread, not on the JDK's one timer thread that ends the wait at the timeout.
        fetching.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenCompleteAsync(
                        (ignored, e) -> {
                            boolean handedOver = false;
                            try {
                                final RevocationSnapshot.Status status = state.snapshot()
                                        .check(
                                                path,
                                                clock.instant(),
                                                current.config().gracePeriod());
                                if (crlAdmits(input, output, current, path, listener, status)) {
                                    handedOver = ocspOrNext(input, output, current, path, listener, async);
                                }
                            } catch (final RuntimeException failure) {
                                log.warn(
                                        "crl-extension: revocation check after discovery failed: {}",
                                        failure.toString());
                                output.failAuthentication(
                                        CrlReasons.UNAVAILABLE.connackCode(), CrlReasons.UNAVAILABLE.text());
                            } finally {
                                if (!handedOver) {
                                    async.resume();
                                }
                            }
                        },
                        continuations);
    }

    /**
     * Decides the CONNECT on the CRL status: refuses it (and returns false) when revoked, from an
     * unknown issuer, or without a CRL while {@code when-unavailable} is reject; else returns true.
     */
    private boolean crlAdmits(
            final SimpleAuthInput input,
            final SimpleAuthOutput output,
            final CrlRuntime current,
            final CertificatePath path,
            final String listener,
            final RevocationSnapshot.Status status) {
        final X509Certificate leaf = path.leaf();
        final String clientId = input.getConnectPacket().getClientId();
        if (status.unknownIssuer() != null) {
            metrics.rejectedUnknownIssuer();
            log.warn(
                    "crl-extension refused CONNECT: certificate issuer '{}' is not one of the configured ca-certificates; identity '{}', client id '{}', listener {}, certificate sha256 {}",
                    UntrustedText.escape(status.unknownIssuer().getName()),
                    CertificateIdentity.commonNameForLog(leaf),
                    UntrustedText.escape(clientId),
                    listener,
                    CertificateIdentity.sha256Fingerprint(leaf));
            refuse(input, output, CrlReasons.UNKNOWN_ISSUER, leaf);
            return false;
        }
        if (status.revoked() != null) {
            metrics.rejectedRevoked();
            final X509Certificate revoked = status.revoked();
            log.warn(
                    "crl-extension refused CONNECT: certificate revoked ('{}'); identity '{}', client id '{}', listener {}, serial {}, issuer '{}', certificate sha256 {}",
                    UntrustedText.escape(revoked.getSubjectX500Principal().getName()),
                    CertificateIdentity.commonNameForLog(leaf),
                    UntrustedText.escape(clientId),
                    listener,
                    revoked.getSerialNumber().toString(16),
                    UntrustedText.escape(revoked.getIssuerX500Principal().getName()),
                    CertificateIdentity.sha256Fingerprint(leaf));
            refuse(input, output, CrlReasons.REVOKED, leaf);
            return false;
        }
        if (status.unavailableIssuer() != null && current.config().crlEnabled()) {
            if (current.config().whenUnavailable() == CrlConfig.WhenUnavailable.REJECT) {
                metrics.rejectedUnavailable();
                log.warn(
                        "crl-extension refused CONNECT: no current CRL for issuer '{}', revocation status unknown; identity '{}', client id '{}', listener {}, certificate sha256 {}",
                        UntrustedText.escape(status.unavailableIssuer().getName()),
                        CertificateIdentity.commonNameForLog(leaf),
                        UntrustedText.escape(clientId),
                        listener,
                        CertificateIdentity.sha256Fingerprint(leaf));
                refuse(input, output, CrlReasons.UNAVAILABLE, leaf);
                return false;
            }
            metrics.allowedUnavailable();
            audit.event("connect.unchecked")
                    .reason("revocation status unavailable; when-unavailable=allow")
                    .clientId(clientId)
                    .connection(input.getConnectionInformation())
                    .write();
            log.warn(
                    "crl-extension: no current CRL for issuer '{}'; allowing identity '{}', client id '{}', certificate sha256 {} unchecked (when-unavailable=allow)",
                    UntrustedText.escape(status.unavailableIssuer().getName()),
                    CertificateIdentity.commonNameForLog(leaf),
                    UntrustedText.escape(clientId),
                    CertificateIdentity.sha256Fingerprint(leaf));
        }
        return true;
    }

    /**
     * Runs OCSP when it is on, else passes the CONNECT on. With {@code async} (the CONNECT is already
     * suspended), returns true when OCSP took the suspension over and resumes it itself.
     */
    private boolean ocspOrNext(
            final SimpleAuthInput input,
            final SimpleAuthOutput output,
            final CrlRuntime current,
            final CertificatePath path,
            final String listener,
            final @Nullable Async<SimpleAuthOutput> async) {
        final OcspStatuses ocsp = current.ocsp();
        if (ocsp != null) {
            return ocsp(input, output, current, ocsp, path, listener, async);
        }
        output.nextExtensionOrDefault();
        return false;
    }

    /**
     * Asks OCSP about every certificate of the path below the anchor: answered from the cache when
     * every answer is there; otherwise the authentication goes asynchronous (no thread waits) while
     * the requests run, and resumes when they end (each has its own timeout; the SDK's timeout,
     * slightly longer, is a fail-closed safety net).
     */
    private boolean ocsp(
            final SimpleAuthInput input,
            final SimpleAuthOutput output,
            final CrlRuntime current,
            final OcspStatuses ocsp,
            final CertificatePath path,
            final String listener,
            final @Nullable Async<SimpleAuthOutput> suspended) {
        final List<OcspChecks.Issued> checked = OcspChecks.of(path);
        final List<OcspAnswer> answers = new ArrayList<>(checked.size());
        for (final OcspChecks.Issued issued : checked) {
            final OcspAnswer cached = ocsp.cached(issued);
            if (cached == null) {
                break;
            }
            answers.add(cached);
        }
        if (answers.size() == checked.size()) {
            for (int i = 0; i < answers.size(); i++) {
                metrics.ocspCacheHit();
            }
            decide(input, output, current, path, listener, OcspChecks.verdict(checked, answers));
            return false;
        }
        final Duration timeout = current.config().ocsp().timeout().plusSeconds(2);
        // A CONNECT takes one suspension: one already taken (waiting for discovery) is carried on.
        final Async<SimpleAuthOutput> async = suspended != null
                ? suspended
                : output.async(
                        timeout,
                        TimeoutFallback.FAILURE,
                        CrlReasons.OCSP_UNAVAILABLE.connackCode(),
                        CrlReasons.OCSP_UNAVAILABLE.text());
        final List<CompletableFuture<OcspAnswer>> pending = new ArrayList<>(checked.size());
        for (final OcspChecks.Issued issued : checked) {
            try {
                pending.add(ocsp.status(issued));
            } catch (final RuntimeException failure) {
                // Never leave the CONNECT suspended until its timeout: no answer is a failed answer.
                pending.add(CompletableFuture.failedFuture(failure));
            }
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture[0])).whenComplete((ignored, e) -> {
            try {
                final List<OcspAnswer> done = new ArrayList<>(pending.size());
                for (final CompletableFuture<OcspAnswer> answer : pending) {
                    done.add(
                            answer.isCompletedExceptionally()
                                    ? OcspAnswer.failed(OcspFailure.INTERNAL, clock.instant())
                                    : answer.join());
                }
                decide(input, output, current, path, listener, OcspChecks.verdict(checked, done));
            } catch (final RuntimeException failure) {
                log.warn("crl-extension: OCSP check failed: {}", failure.toString());
                output.failAuthentication(
                        CrlReasons.OCSP_UNAVAILABLE.connackCode(), CrlReasons.OCSP_UNAVAILABLE.text());
            } finally {
                async.resume();
            }
        });
        return true;
    }

    private void decide(
            final SimpleAuthInput input,
            final SimpleAuthOutput output,
            final CrlRuntime current,
            final CertificatePath path,
            final String listener,
            final OcspChecks.Verdict verdict) {
        final X509Certificate leaf = path.leaf();
        final String clientId = input.getConnectPacket().getClientId();
        if (verdict.revoked != null) {
            metrics.rejectedOcspRevoked();
            log.warn(
                    "crl-extension refused CONNECT: certificate revoked (OCSP) ('{}'); identity '{}', client id '{}', listener {}, serial {}, certificate sha256 {}",
                    UntrustedText.escape(
                            verdict.revoked.getSubjectX500Principal().getName()),
                    CertificateIdentity.commonNameForLog(leaf),
                    UntrustedText.escape(clientId),
                    listener,
                    verdict.revoked.getSerialNumber().toString(16),
                    CertificateIdentity.sha256Fingerprint(leaf));
            refuse(input, output, CrlReasons.OCSP_REVOKED, leaf);
            return;
        }
        if (verdict.unavailable != null) {
            if (current.config().ocsp().whenUnavailable() == CrlConfig.WhenUnavailable.REJECT) {
                metrics.rejectedOcspUnavailable();
                log.warn(
                        "crl-extension refused CONNECT: no OCSP status ({}); identity '{}', client id '{}', listener {}, certificate sha256 {}",
                        verdict.unavailable,
                        CertificateIdentity.commonNameForLog(leaf),
                        UntrustedText.escape(clientId),
                        listener,
                        CertificateIdentity.sha256Fingerprint(leaf));
                refuse(input, output, CrlReasons.OCSP_UNAVAILABLE, leaf);
                return;
            }
            metrics.allowedOcspUnavailable();
            log.warn(
                    "crl-extension: no OCSP status ({}); allowing identity '{}', client id '{}', certificate sha256 {} unchecked (ocsp when-unavailable=allow)",
                    verdict.unavailable,
                    CertificateIdentity.commonNameForLog(leaf),
                    UntrustedText.escape(clientId),
                    CertificateIdentity.sha256Fingerprint(leaf));
            audit.event("connect.unchecked")
                    .reason("OCSP status unavailable (" + verdict.unavailable + "); when-unavailable=allow")
                    .clientId(clientId)
                    .connection(input.getConnectionInformation())
                    .write();
        }
        output.nextExtensionOrDefault();
    }

    /** Writes the refusal to the audit trail under the reason's name and sends its CONNACK. */
    private void refuse(
            final SimpleAuthInput input,
            final SimpleAuthOutput output,
            final Reason reason,
            final X509Certificate leaf) {
        audit.event("connect.refused")
                .reason(reason.name())
                .clientId(input.getConnectPacket().getClientId())
                .connection(input.getConnectionInformation())
                .certificate(leaf)
                .write();
        output.failAuthentication(reason.connackCode(), reason.text());
    }
}
