package dev.certguard.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import javax.naming.NamingEnumeration;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERT61String;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The CN read straight from a subject name's DER is the one the JDK's text rendering of the name,
 * parsed back as an LDAP name, gave (how certguard read it until the rendering and re-parsing showed
 * as the largest cost of reading a CONNECT's identity): for names with RFC 2253's special characters,
 * spaces at either end, non-ASCII text, every allowed string type, multi-valued RDNs and several CNs.
 * One deliberate difference: the same CN value twice in one multi-valued RDN, which the LDAP parser
 * folded into one value, is now two CNs and refused.
 */
class CommonNameReadingTest {

    private static final List<ASN1ObjectIdentifier> OTHER_TYPES = List.of(
            BCStyle.O, BCStyle.OU, BCStyle.C, BCStyle.L, BCStyle.DC, BCStyle.UID, BCStyle.E, BCStyle.SERIALNUMBER);

    @Property(tries = 3000)
    void the_cn_read_from_the_der_is_the_one_the_rendered_name_gave(@ForAll("names") final List<List<Ava>> rdns)
            throws Exception {
        final RDN[] built = new RDN[rdns.size()];
        int cns = 0;
        boolean sameCnTwiceInOneRdn = false;
        for (int i = 0; i < rdns.size(); i++) {
            final List<Ava> avas = rdns.get(i);
            final AttributeTypeAndValue[] values = new AttributeTypeAndValue[avas.size()];
            final List<String> cnValues = new ArrayList<>();
            for (int j = 0; j < avas.size(); j++) {
                values[j] =
                        new AttributeTypeAndValue(avas.get(j).type, avas.get(j).encoded());
                if (avas.get(j).type.equals(BCStyle.CN)) {
                    cns++;
                    sameCnTwiceInOneRdn |= cnValues.contains(avas.get(j).value);
                    cnValues.add(avas.get(j).value);
                }
            }
            built[i] = new RDN(values);
        }
        final X500Principal subject = new X500Principal(new X500Name(built).getEncoded("DER"));

        final String read = outcome(() -> CommonNameEncoding.read(subject.getEncoded()));
        final String rendered = outcome(() -> renderedAndParsed(subject));
        if (sameCnTwiceInOneRdn) {
            assertThat(read).as("%d CNs", cns).startsWith("refused: ");
        } else {
            assertThat(read).isEqualTo(rendered);
        }
    }

    private interface Reading {
        String get() throws InvalidIdentityException;
    }

    private static String outcome(final Reading reading) {
        try {
            return "cn: " + reading.get();
        } catch (final InvalidIdentityException e) {
            return "refused: " + e.getMessage();
        }
    }

    /** How certguard read the CN before: the encoding check, then the JDK's RFC 2253 text parsed by LdapName. */
    private static String renderedAndParsed(final X500Principal subject) throws InvalidIdentityException {
        try {
            CommonNameEncoding.read(subject.getEncoded());
        } catch (final InvalidIdentityException e) {
            if (!e.getMessage().contains("CNs, exactly one") && !e.getMessage().contains("has no CN")) {
                throw e; // the encoding check, which came first
            }
        }
        final LdapName name;
        try {
            name = new LdapName(subject.getName(X500Principal.RFC2253));
        } catch (final Exception e) {
            throw new InvalidIdentityException("certificate subject cannot be parsed");
        }
        String commonName = null;
        int count = 0;
        for (final Rdn rdn : name.getRdns()) {
            try {
                final NamingEnumeration<? extends Attribute> attributes =
                        rdn.toAttributes().getAll();
                while (attributes.hasMore()) {
                    final Attribute attribute = attributes.next();
                    if (!"CN".equalsIgnoreCase(attribute.getID()) && !"2.5.4.3".equals(attribute.getID())) {
                        continue;
                    }
                    for (int i = 0; i < attribute.size(); i++) {
                        count++;
                        final Object value = attribute.get(i);
                        if (!(value instanceof String)) {
                            throw new InvalidIdentityException("certificate subject CN is not a string");
                        }
                        commonName = (String) value;
                    }
                }
            } catch (final javax.naming.NamingException | RuntimeException e) {
                throw new InvalidIdentityException("certificate subject cannot be parsed");
            }
        }
        if (count == 0) {
            throw new InvalidIdentityException("certificate subject has no CN");
        }
        if (count > 1) {
            throw new InvalidIdentityException("certificate subject has " + count + " CNs, exactly one is required");
        }
        return commonName;
    }

    static final class Ava {
        final ASN1ObjectIdentifier type;
        final int stringType;
        final String value;

        Ava(final ASN1ObjectIdentifier type, final int stringType, final String value) {
            this.type = type;
            this.stringType = stringType;
            this.value = value;
        }

        ASN1Encodable encoded() {
            switch (stringType) {
                case 0:
                    return new DERPrintableString(value);
                case 1:
                    return new DERIA5String(value);
                case 2:
                    return new DERT61String(value);
                default:
                    return new DERUTF8String(value);
            }
        }

        @Override
        public String toString() {
            return type + "/" + stringType + "=" + value;
        }
    }

    @Provide
    Arbitrary<List<List<Ava>>> names() {
        final Arbitrary<String> ascii = Arbitraries.strings()
                .withChars("azAZ09:-_. ,+\"\\<>;#='()/?*&")
                .ofMinLength(0)
                .ofMaxLength(12);
        final Arbitrary<String> text = Arbitraries.oneOf(
                ascii,
                Arbitraries.strings()
                        .withChars("az:-, +#=\\éü中\u00a0\u200b\u0000\t\n")
                        .ofMinLength(0)
                        .ofMaxLength(12),
                Arbitraries.of("admin:a1998e", "tenant:device-1", "v2k-bridge", " admin:a1998e", "admin:a1998e "));
        final Arbitrary<Ava> ava = Combinators.combine(
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(3, Arbitraries.just(BCStyle.CN)),
                                net.jqwik.api.Tuple.of(2, Arbitraries.of(OTHER_TYPES))),
                        Arbitraries.integers().between(0, 3),
                        text)
                .as((type, stringType, value) -> new Ava(type, stringType, value));
        return ava.list().ofMinSize(1).ofMaxSize(3).list().ofMinSize(1).ofMaxSize(4);
    }
}
