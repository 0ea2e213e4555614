package dev.certguard.crl.ocsp;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.source.CappedBody;
import dev.certguard.signature.PssSignatures;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.jcajce.io.OutputStreamFactory;
import org.bouncycastle.operator.ContentVerifier;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Asks an OCSP responder about one certificate, with BouncyCastle building the request and parsing
 * and verifying the response: signed by the certificate's issuer or by a responder certificate that
 * the issuer signed with the {@code id-kp-OCSPSigning} purpose (valid now), a single response for
 * exactly this certificate ID (issuer name and key hashes, serial), {@code thisUpdate} not in the
 * future (one minute of skew), {@code nextUpdate} not passed, and the nonce echoed when one was
 * sent. The HTTP request runs asynchronously on the HTTP client; no caller thread waits. Every
 * failure becomes an {@link OcspAnswer} with its cause, never an exception. Thread-safe.
 */
public final class OcspClient {

    static final Duration SKEW = Duration.ofMinutes(1);
    private static final int MAX_RESPONSE_BYTES = 1 << 20;

    private final @NotNull HttpClient http;
    private final @Nullable URI responder;
    private final @NotNull Duration timeout;
    private final @NotNull Duration cacheFor;
    private final boolean useNonce;
    private final @NotNull Clock clock;
    private final @NotNull SecureRandom random = new SecureRandom();
    private final @NotNull DigestCalculatorProvider digests;

    public OcspClient(
            final @NotNull HttpClient http,
            final @Nullable URI responder,
            final @NotNull Duration timeout,
            final @NotNull Duration cacheFor,
            final boolean useNonce,
            final @NotNull Clock clock) {
        this.http = http;
        this.responder = responder;
        this.timeout = timeout;
        this.cacheFor = cacheFor;
        this.useNonce = useNonce;
        this.clock = clock;
        try {
            this.digests = new JcaDigestCalculatorProviderBuilder().build();
        } catch (final OperatorCreationException e) {
            throw new IllegalStateException("SHA-1 is part of every Java runtime", e);
        }
    }

    /** The responder for {@code certificate}: the configured one, else its AIA OCSP URL, else {@code null}. */
    public @Nullable URI responderFor(final @NotNull X509Certificate certificate) {
        if (responder != null) {
            return responder;
        }
        final byte[] value = certificate.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (value == null) {
            return null;
        }
        try {
            final AuthorityInformationAccess aia =
                    AuthorityInformationAccess.getInstance(JcaX509ExtensionUtils.parseExtensionValue(value));
            for (final AccessDescription description : aia.getAccessDescriptions()) {
                if (description.getAccessMethod().equals(AccessDescription.id_ad_ocsp)
                        && description.getAccessLocation().getTagNo() == GeneralName.uniformResourceIdentifier) {
                    final String uri = description.getAccessLocation().getName().toString();
                    if (uri.startsWith("http://") || uri.startsWith("https://")) {
                        return URI.create(uri);
                    }
                }
            }
        } catch (final IOException | RuntimeException e) {
            // Whatever the certificate's AIA holds (a constructed location, a URI without a host): no responder.
            return null;
        }
        return null;
    }

    /**
     * Asks for the status of {@code certificate}, issued by {@code issuer}. Never throws: whatever the
     * certificate or the responder holds becomes a failed answer.
     */
    public @NotNull CompletableFuture<OcspAnswer> ask(
            final @NotNull X509Certificate certificate, final @NotNull X509Certificate issuer) {
        try {
            return send(certificate, issuer);
        } catch (final RuntimeException e) {
            // A responder URI the HTTP client refuses (no host, say): no answer, never an exception
            // on the broker thread that asked.
            return CompletableFuture.completedFuture(OcspAnswer.failed(OcspFailure.REQUEST, clock.instant()));
        }
    }

    private CompletableFuture<OcspAnswer> send(final X509Certificate certificate, final X509Certificate issuer) {
        final URI uri = responderFor(certificate);
        if (uri == null) {
            return CompletableFuture.completedFuture(OcspAnswer.failed(OcspFailure.NO_RESPONDER, clock.instant()));
        }
        final CertificateID id;
        final byte[] nonce;
        final byte[] request;
        try {
            id = new CertificateID(
                    digests.get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(issuer),
                    certificate.getSerialNumber());
            final OCSPReqBuilder builder = new OCSPReqBuilder().addRequest(id);
            nonce = useNonce ? new byte[16] : null;
            if (nonce != null) {
                random.nextBytes(nonce);
                // RFC 6960 4.4.1: the extension's value is the DER encoding of an OCTET STRING holding the nonce.
                builder.setRequestExtensions(new Extensions(new Extension(
                        OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                        false,
                        new DEROctetString(new DEROctetString(nonce).getEncoded()))));
            }
            final OCSPReq built = builder.build();
            request = built.getEncoded();
        } catch (final OCSPException | OperatorCreationException | CertificateEncodingException | IOException e) {
            return CompletableFuture.completedFuture(OcspAnswer.failed(OcspFailure.REQUEST, clock.instant()));
        }
        final HttpRequest post = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/ocsp-request")
                .header("Accept", "application/ocsp-response")
                .POST(HttpRequest.BodyPublishers.ofByteArray(request))
                .build();
        final CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            sent = http.sendAsync(
                            post,
                            info -> info.statusCode() == 200
                                    ? new CappedBody(MAX_RESPONSE_BYTES)
                                    : HttpResponse.BodySubscribers.replacing(new byte[0]))
                    // The request timeout ends at the response headers; a body that trickles must not pin
                    // the shared request (and every CONNECT waiting on it) for ever.
                    .orTimeout(timeout.toMillis() + 500, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (final RuntimeException e) {
            return CompletableFuture.completedFuture(OcspAnswer.failed(OcspFailure.HTTP, clock.instant()));
        }
        return sent.handle((response, e) -> {
            if (e != null) {
                final Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                return OcspAnswer.failed(
                        cause instanceof HttpTimeoutException || cause instanceof java.util.concurrent.TimeoutException
                                ? OcspFailure.TIMEOUT
                                : OcspFailure.HTTP,
                        clock.instant());
            }
            if (response.statusCode() != 200 || response.body().length > MAX_RESPONSE_BYTES) {
                return OcspAnswer.failed(OcspFailure.HTTP, clock.instant());
            }
            try {
                return verify(response.body(), id, issuer, nonce);
            } catch (final RuntimeException hostile) {
                // Whatever a responder sends, it never escapes as an exception.
                return OcspAnswer.failed(OcspFailure.MALFORMED, clock.instant());
            }
        });
    }

    /** Parses and verifies a DER OCSP response for {@code id}. */
    @NotNull OcspAnswer verify(
            final byte @NotNull [] der,
            final @NotNull CertificateID id,
            final @NotNull X509Certificate issuer,
            final byte @Nullable [] nonce) {
        final Instant now = clock.instant();
        final BasicOCSPResp basic;
        try {
            final OCSPResp response = new OCSPResp(der);
            if (response.getStatus() != OCSPResp.SUCCESSFUL) {
                return OcspAnswer.failed(OcspFailure.RESPONDER_STATUS, now);
            }
            final Object body = response.getResponseObject();
            if (!(body instanceof BasicOCSPResp)) {
                return OcspAnswer.failed(OcspFailure.MALFORMED, now);
            }
            basic = (BasicOCSPResp) body;
        } catch (final IOException | OCSPException | RuntimeException e) {
            return OcspAnswer.failed(OcspFailure.MALFORMED, now);
        }
        if (!signedByIssuerOrDelegate(basic, issuer, now)) {
            return OcspAnswer.failed(OcspFailure.SIGNATURE, now);
        }
        if (nonce != null && !echoes(basic, nonce)) {
            return OcspAnswer.failed(OcspFailure.NONCE, now);
        }
        for (final SingleResp single : basic.getResponses()) {
            if (!single.getCertID().equals(id)) {
                continue;
            }
            final Instant thisUpdate = single.getThisUpdate().toInstant();
            if (thisUpdate.isAfter(now.plus(SKEW))) {
                return OcspAnswer.failed(OcspFailure.NOT_YET_VALID, now);
            }
            final Date next = single.getNextUpdate();
            Instant usableUntil = now.plus(cacheFor);
            if (next == null && thisUpdate.isBefore(now.minus(cacheFor))) {
                // Without a nextUpdate, an answer older than cache-seconds could be a replay from
                // before a revocation: not believed.
                return OcspAnswer.failed(OcspFailure.STALE, now);
            }
            if (next != null) {
                if (!next.toInstant().isAfter(now)) {
                    return OcspAnswer.failed(OcspFailure.STALE, now);
                }
                if (next.toInstant().isBefore(usableUntil)) {
                    usableUntil = next.toInstant();
                }
            }
            final CertificateStatus status = single.getCertStatus();
            if (status == CertificateStatus.GOOD) {
                return OcspAnswer.verified(OcspAnswer.Status.GOOD, thisUpdate, usableUntil);
            }
            if (status instanceof RevokedStatus) {
                return OcspAnswer.verified(OcspAnswer.Status.REVOKED, thisUpdate, usableUntil);
            }
            return OcspAnswer.verified(OcspAnswer.Status.UNKNOWN, thisUpdate, usableUntil);
        }
        return OcspAnswer.failed(OcspFailure.NO_MATCHING_RESPONSE, now);
    }

    /** Whether the response carries the request's nonce (as RFC 6960 encodes it, or as the raw bytes). */
    private static boolean echoes(final BasicOCSPResp basic, final byte[] nonce) {
        final Extension echoed = basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (echoed == null) {
            return false;
        }
        final byte[] value = echoed.getExtnValue().getOctets();
        if (java.util.Arrays.equals(value, nonce)) {
            return true;
        }
        try {
            return java.util.Arrays.equals(DEROctetString.getInstance(value).getOctets(), nonce);
        } catch (final RuntimeException notAnOctetString) {
            return false;
        }
    }

    private static boolean signedByIssuerOrDelegate(
            final BasicOCSPResp basic, final X509Certificate issuer, final Instant now) {
        try {
            if (verifies(basic, verifier(issuer.getPublicKey()))) {
                return true;
            }
            final X509CertificateHolder issuerHolder = new JcaX509CertificateHolder(issuer);
            final ContentVerifierProvider byIssuer = verifier(issuer.getPublicKey());
            for (final X509CertificateHolder delegate : basic.getCerts()) {
                if (!delegate.getIssuer().equals(issuerHolder.getSubject())
                        || !delegate.isValidOn(Date.from(now))
                        || !delegate.isSignatureValid(byIssuer)) {
                    continue;
                }
                final ExtendedKeyUsage purposes = ExtendedKeyUsage.fromExtensions(delegate.getExtensions());
                if (purposes != null
                        && purposes.hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning)
                        && verifies(
                                basic,
                                verifier(new JcaX509CertificateConverter()
                                        .getCertificate(delegate)
                                        .getPublicKey()))) {
                    return true;
                }
            }
            return false;
        } catch (final OperatorCreationException | CertificateEncodingException | RuntimeException e) {
            return false;
        } catch (final java.security.cert.CertificateException e) {
            return false;
        } catch (final org.bouncycastle.cert.CertException e) {
            return false;
        }
    }

    /**
     * Verifies signatures with {@code key} on the JVM's providers. RSASSA-PSS ones go through
     * {@link PssSignatures}, which bounds the signer's parameters first: BouncyCastle's own lookup
     * names PSS in a way the JDK's providers do not know.
     */
    private static ContentVerifierProvider verifier(final PublicKey key) throws OperatorCreationException {
        final ContentVerifierProvider jvm = new JcaContentVerifierProviderBuilder().build(key);
        return new ContentVerifierProvider() {
            @Override
            public boolean hasAssociatedCertificate() {
                return false;
            }

            @Override
            public X509CertificateHolder getAssociatedCertificate() {
                return null;
            }

            @Override
            public ContentVerifier get(final AlgorithmIdentifier algorithm) throws OperatorCreationException {
                return PKCSObjectIdentifiers.id_RSASSA_PSS.equals(algorithm.getAlgorithm())
                        ? pss(key, algorithm)
                        : jvm.get(algorithm);
            }
        };
    }

    private static ContentVerifier pss(final PublicKey key, final AlgorithmIdentifier algorithm)
            throws OperatorCreationException {
        final Signature signature;
        try {
            if (algorithm.getParameters() == null) {
                throw new OperatorCreationException("RSASSA-PSS without parameters");
            }
            signature = PssSignatures.verifier(
                    key, algorithm.getParameters().toASN1Primitive().getEncoded(ASN1Encoding.DER));
        } catch (final GeneralSecurityException | IOException e) {
            throw new OperatorCreationException("RSASSA-PSS refused: " + e.getMessage(), e);
        }
        return new ContentVerifier() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return algorithm;
            }

            @Override
            public OutputStream getOutputStream() {
                return OutputStreamFactory.createStream(signature);
            }

            @Override
            public boolean verify(final byte[] expected) {
                try {
                    return signature.verify(expected);
                } catch (final SignatureException e) {
                    return false;
                }
            }
        };
    }

    private static boolean verifies(final BasicOCSPResp basic, final ContentVerifierProvider verifier) {
        try {
            return basic.isSignatureValid(verifier);
        } catch (final OCSPException e) {
            return false;
        }
    }
}
