package dev.certguard.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERUniversalString;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The certificate-to-identity step against subject names whoever made the CSR chose: any DER the
 * JDK accepts as a name (several CNs, multi-valued RDNs, every string type, NUL and look-alike
 * characters, oversized names). The CN is found or the name refused with
 * {@link InvalidIdentityException}, never another exception; and it agrees with BouncyCastle's
 * reading of the same bytes: an identity certguard admits is the only CN attribute anywhere, holding a
 * string, read as BouncyCastle reads it, and a plain ASCII CN is read alike. Bytes outside a string
 * type's repertoire (a PrintableString holding 0xEF, which BouncyCastle reads as Latin-1 and the JDK as
 * U+FFFD, or as UTF-8 when they form a character, found by fuzzing) make no identity: a
 * PrintableString CN must keep to its alphabet ({@link CommonNameEncoding}). Deliberately stricter: a CN written as a BMPString or UniversalString never becomes an
 * identity (the JDK renders the first as bytes and the second as hex), and neither does a UTF8String
 * CN that is not UTF-8, so such a device is refused, never taken for another.
 */
class IdentityFuzzTest {

    @FuzzTest(maxDuration = "30m")
    void any_subject_name_gives_its_only_cn_or_a_refusal(final byte[] der) {
        final X500Principal subject;
        try {
            subject = new X500Principal(der);
        } catch (final IllegalArgumentException notAName) {
            return; // the TLS stack refuses such a certificate before any extension sees it
        }
        String identity;
        try {
            identity = CertificateIdentity.commonName(subject);
        } catch (final InvalidIdentityException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            identity = null;
        }
        final X500Name name;
        try {
            name = X500Name.getInstance(subject.getEncoded());
        } catch (final RuntimeException unreadable) {
            // A name the JDK accepts and BouncyCastle cannot read (an attribute value of an odd tag,
            // found by fuzzing): only the contract above holds; there is no second reading to agree with.
            return;
        }
        try {
            if (!java.util.Arrays.equals(name.getEncoded("DER"), der)) {
                // Not canonical DER (a name whose outer tag is a SET, found by fuzzing): certguard may
                // refuse what BouncyCastle reads leniently; only the contract above holds.
                return;
            }
        } catch (final java.io.IOException | RuntimeException unencodable) {
            return;
        }
        for (final RDN rdn : name.getRDNs()) {
            if (rdn.size() == 0) {
                // An RDN of no attribute (an empty SET, found by fuzzing) makes no valid name (X.501:
                // SIZE (1..MAX)); BouncyCastle reads past it, certguard refuses the whole subject.
                assertThat(identity)
                        .as("a subject with an empty RDN is refused")
                        .isNull();
                return;
            }
        }
        final ASN1Encodable cn = onlyCn(name);
        if (cn instanceof DERBMPString || cn instanceof DERUniversalString) {
            assertThat(identity == null || !validIdentity(identity))
                    .as("a %s CN never becomes an identity", cn.getClass().getSimpleName())
                    .isTrue();
            return;
        }
        String expected = null;
        if (cn instanceof ASN1String) {
            try {
                expected = ((ASN1String) cn).getString();
            } catch (final IllegalArgumentException notUtf8) {
                // A UTF8String CN holding bytes that are not UTF-8 (found by fuzzing).
                assertThat(identity == null || !validIdentity(identity))
                        .as("a CN that is not valid UTF-8 never becomes an identity")
                        .isTrue();
                return;
            }
        }
        if (identity != null && validIdentity(identity)) {
            assertThat(identity)
                    .as("an identity certguard admits is the only CN, as BouncyCastle reads it")
                    .isEqualTo(expected);
        }
        final boolean directoryString = cn instanceof org.bouncycastle.asn1.DERUTF8String
                || cn instanceof org.bouncycastle.asn1.DERPrintableString
                || cn instanceof org.bouncycastle.asn1.DERT61String;
        // Only X.520's DirectoryString types make a CN: a VideotexString CN (found by fuzzing) is refused.
        final boolean inRepertoire = directoryString
                && (cn instanceof org.bouncycastle.asn1.DERPrintableString
                        ? expected.chars().allMatch(CommonNameEncoding::printable)
                        : expected.chars().allMatch(c -> c < 0x80));
        if (inRepertoire && validIdentity(expected) && expected.chars().allMatch(c -> c >= 0x21 && c < 0x7f)) {
            assertThat(identity).as("a plain ASCII identity is read alike").isEqualTo(expected);
        }
        if (identity != null) {
            try {
                final DeviceIdentity device = DeviceIdentity.parse(identity);
                assertThat(device.toString()).isEqualTo(identity);
                assertThat(device.attrsTopic()).isEqualTo(identity + DeviceIdentity.ATTRS);
            } catch (final InvalidIdentityException refused) {
                assertThat(refused.getMessage()).isNotBlank();
            }
        }
    }

    private static boolean validIdentity(final String identity) {
        try {
            DeviceIdentity.parse(identity);
            return true;
        } catch (final InvalidIdentityException refused) {
            return false;
        }
    }

    /** The value of the subject's only CN attribute, by BouncyCastle; {@code null} unless exactly one. */
    private static ASN1Encodable onlyCn(final X500Name name) {
        ASN1Encodable value = null;
        int count = 0;
        for (final RDN rdn : name.getRDNs()) {
            for (final AttributeTypeAndValue attribute : rdn.getTypesAndValues()) {
                if (attribute.getType().equals(BCStyle.CN)) {
                    count++;
                    value = attribute.getValue();
                }
            }
        }
        return count == 1 ? value : null;
    }
}
