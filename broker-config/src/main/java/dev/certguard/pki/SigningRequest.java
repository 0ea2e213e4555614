package dev.certguard.pki;

import dev.certguard.identity.CertificateIdentity;
import dev.certguard.identity.DeviceIdentity;
import dev.certguard.identity.IdentityCharacters;
import dev.certguard.identity.InvalidIdentityException;
import dev.certguard.signature.PssSignatures;
import dev.certguard.text.UntrustedText;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A certificate signing request (PKCS#10) that passed the checks {@code pki sign} makes before it
 * signs anything: the request is signed by the key it carries; the key is RSA of at least 2048 bits
 * (plain or RSASSA-PSS), ECDSA on P-256, P-384 or P-521, or Ed25519; the subject has exactly one CN
 * and that CN is an identity the broker accepts (a device {@code tenant:device_id}, or a plain
 * service name). Of the extensions the request asks for, only subjectAltName is kept; the others are
 * named in {@link #ignored()}. Immutable; thread-safe.
 */
public final class SigningRequest {

    /** The largest request read: far above any real CSR, small enough that a hostile file costs nothing. */
    static final int MAX_BYTES = 64 * 1024;

    /** The smallest RSA modulus signed, as NIST SP 800-131A and the CA/Browser Forum require. */
    public static final int MIN_RSA_BITS = 2048;

    /** The largest RSA modulus signed: larger keys make every handshake of that device slow for nothing. */
    static final int MAX_RSA_BITS = 16384;

    private static final Map<ASN1ObjectIdentifier, String> CURVES = Map.of(
            SECObjectIdentifiers.secp256r1, "P-256",
            SECObjectIdentifiers.secp384r1, "P-384",
            SECObjectIdentifiers.secp521r1, "P-521");

    private static final Map<ASN1ObjectIdentifier, String> EXTENSION_NAMES = Map.of(
            Extension.basicConstraints, "basicConstraints",
            Extension.keyUsage, "keyUsage",
            Extension.extendedKeyUsage, "extendedKeyUsage",
            Extension.subjectKeyIdentifier, "subjectKeyIdentifier",
            Extension.authorityKeyIdentifier, "authorityKeyIdentifier",
            Extension.cRLDistributionPoints, "cRLDistributionPoints",
            Extension.nameConstraints, "nameConstraints",
            Extension.certificatePolicies, "certificatePolicies",
            Extension.authorityInfoAccess, "authorityInfoAccess");

    private final String commonName;
    private final PublicKey publicKey;
    private final GeneralNames subjectAltNames;
    private final List<String> ignored;

    private SigningRequest(
            final String commonName,
            final PublicKey publicKey,
            final GeneralNames subjectAltNames,
            final List<String> ignored) {
        this.commonName = commonName;
        this.publicKey = publicKey;
        this.subjectAltNames = subjectAltNames;
        this.ignored = List.copyOf(ignored);
    }

    /**
     * Reads and checks the request in {@code file} (PEM {@code CERTIFICATE REQUEST} or
     * {@code NEW CERTIFICATE REQUEST}, or DER).
     *
     * @param service whether the CN must be a service name rather than a device identity
     * @throws PkiException with the reason, when the file is not a request or any check fails
     */
    public static SigningRequest read(final Path file, final boolean service) throws PkiException, IOException {
        if (!Files.isRegularFile(file)) {
            throw new PkiException("no certificate signing request at " + UntrustedText.escape(file.toString()));
        }
        if (Files.size(file) > MAX_BYTES) {
            throw new PkiException(UntrustedText.escape(file.toString()) + " is larger than " + MAX_BYTES
                    + " bytes; not a certificate signing request");
        }
        return parse(Files.readAllBytes(file), service);
    }

    /** Checks the request in {@code bytes}; see {@link #read}. */
    public static SigningRequest parse(final byte[] bytes, final boolean service) throws PkiException {
        if (bytes.length > MAX_BYTES) {
            throw new PkiException("larger than " + MAX_BYTES + " bytes; not a certificate signing request");
        }
        final PKCS10CertificationRequest request = decode(bytes);
        final SubjectPublicKeyInfo keyInfo = request.getSubjectPublicKeyInfo();
        final String keyName = checkKeyAlgorithm(keyInfo.getAlgorithm());
        final PublicKey publicKey;
        try {
            publicKey = new JcaPKCS10CertificationRequest(request).getPublicKey();
        } catch (final GeneralSecurityException | RuntimeException e) {
            throw new PkiException("the request's " + keyName + " public key cannot be decoded");
        }
        if (publicKey instanceof RSAKey rsa) {
            final int bits = rsa.getModulus().bitLength();
            if (bits < MIN_RSA_BITS) {
                throw new PkiException("the request's RSA key has " + bits + " bits; at least " + MIN_RSA_BITS
                        + " are required (make one with: openssl genrsa -out client.key 2048)");
            }
            if (bits > MAX_RSA_BITS) {
                throw new PkiException(
                        "the request's RSA key has " + bits + " bits; at most " + MAX_RSA_BITS + " are signed");
            }
        }
        if (!signatureVerifies(request, publicKey)) {
            throw new PkiException("the request's signature does not verify with the key it carries");
        }
        final String commonName = checkedCommonName(request, service);
        final List<String> ignored = new ArrayList<>();
        GeneralNames subjectAltNames = null;
        final Extensions requested;
        try {
            requested = request.getRequestedExtensions();
            if (requested != null) {
                subjectAltNames = GeneralNames.fromExtensions(requested, Extension.subjectAlternativeName);
                for (final ASN1ObjectIdentifier oid : requested.getExtensionOIDs()) {
                    if (!oid.equals(Extension.subjectAlternativeName)) {
                        ignored.add(EXTENSION_NAMES.getOrDefault(oid, oid.getId()));
                    }
                }
            }
        } catch (final RuntimeException e) {
            throw new PkiException("the request's extensions cannot be decoded");
        }
        return new SigningRequest(commonName, publicKey, subjectAltNames, ignored);
    }

    /** The checked CN: the certificate's whole subject. */
    public String commonName() {
        return commonName;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** The requested subjectAltName, or null when the request asks for none. */
    public GeneralNames subjectAltNames() {
        return subjectAltNames;
    }

    /** The subjectAltName as {@code DNS:host, IP:..., URI:...}, escaped for a terminal; empty when none. */
    public String subjectAltNamesForDisplay() {
        if (subjectAltNames == null) {
            return "";
        }
        final List<String> names = new ArrayList<>();
        for (final GeneralName name : subjectAltNames.getNames()) {
            final String kind;
            switch (name.getTagNo()) {
                case GeneralName.dNSName -> kind = "DNS:";
                case GeneralName.iPAddress -> kind = "IP:";
                case GeneralName.uniformResourceIdentifier -> kind = "URI:";
                case GeneralName.rfc822Name -> kind = "email:";
                default -> kind = "type" + name.getTagNo() + ":";
            }
            names.add(kind + UntrustedText.escape(name.getName().toString()));
        }
        return String.join(", ", names);
    }

    /** The requested extensions not copied into the certificate, by name (or dotted OID). */
    public List<String> ignored() {
        return ignored;
    }

    /**
     * Whether the request is signed by the key it carries. PSS goes through {@link PssSignatures},
     * which bounds a hostile salt length before any provider allocates it.
     */
    private static boolean signatureVerifies(final PKCS10CertificationRequest request, final PublicKey publicKey)
            throws PkiException {
        final AlgorithmIdentifier algorithm = request.getSignatureAlgorithm();
        try {
            if (!algorithm.getAlgorithm().equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
                return request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(publicKey));
            }
            if (algorithm.getParameters() == null) {
                throw new PkiException("the request's RSASSA-PSS signature has no parameters");
            }
            final Signature signature = PssSignatures.verifier(
                    publicKey, algorithm.getParameters().toASN1Primitive().getEncoded(ASN1Encoding.DER));
            signature.update(
                    request.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
            return signature.verify(request.getSignature());
        } catch (final PkiException e) {
            throw e;
        } catch (final Exception e) {
            // GeneralSecurityException (PSS bounds included), PKCSException, OperatorCreationException,
            // and what a hostile request makes the verifier throw.
            throw new PkiException("the request's signature cannot be verified: "
                    + UntrustedText.escape(String.valueOf(e.getMessage())));
        }
    }

    private static PKCS10CertificationRequest decode(final byte[] bytes) throws PkiException {
        try {
            final String text = new String(bytes, StandardCharsets.ISO_8859_1);
            if (text.contains("-----BEGIN")) {
                try (PEMParser parser = new PEMParser(new StringReader(text))) {
                    final Object object = parser.readObject();
                    if (object instanceof PKCS10CertificationRequest request) {
                        return request;
                    }
                    throw new PkiException("the file holds no PEM 'CERTIFICATE REQUEST' block");
                }
            }
            return new PKCS10CertificationRequest(bytes);
        } catch (final PkiException e) {
            throw e;
        } catch (final IOException | RuntimeException e) {
            throw new PkiException("not a certificate signing request (PKCS#10, PEM or DER)");
        }
    }

    private static String checkKeyAlgorithm(final AlgorithmIdentifier algorithm) throws PkiException {
        final ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
        if (oid.equals(PKCSObjectIdentifiers.rsaEncryption) || oid.equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
            return "RSA";
        }
        if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            return "Ed25519";
        }
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            final String curve =
                    algorithm.getParameters() instanceof ASN1ObjectIdentifier named ? CURVES.get(named) : null;
            if (curve == null) {
                throw new PkiException("the request's EC key is not on P-256, P-384 or P-521 (curve "
                        + (algorithm.getParameters() instanceof ASN1ObjectIdentifier named ? named.getId() : "explicit")
                        + "); the broker's TLS stack cannot verify other curves");
            }
            return "ECDSA " + curve;
        }
        throw new PkiException("unsupported key type " + oid.getId()
                + "; RSA (2048 bits or more), ECDSA P-256/P-384/P-521 and Ed25519 are signed");
    }

    private static String checkedCommonName(final PKCS10CertificationRequest request, final boolean service)
            throws PkiException {
        final String commonName;
        try {
            commonName = CertificateIdentity.commonName(
                    new X500Principal(request.getSubject().getEncoded()));
        } catch (final InvalidIdentityException e) {
            throw new PkiException("the request's subject is refused: " + e.reason());
        } catch (final IOException | RuntimeException e) {
            throw new PkiException("the request's subject cannot be parsed");
        }
        try {
            if (service) {
                IdentityCharacters.checkLength(commonName);
                IdentityCharacters.checkPart("service name", commonName);
            } else {
                DeviceIdentity.parse(commonName);
            }
        } catch (final InvalidIdentityException e) {
            throw new PkiException("the request's CN '" + UntrustedText.escape(commonName) + "' is not a "
                    + (service ? "service name" : "device identity tenant:device_id") + ": " + e.reason());
        }
        return commonName;
    }
}
