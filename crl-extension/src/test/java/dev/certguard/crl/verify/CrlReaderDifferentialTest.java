package dev.certguard.crl.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.crl.path.CertificatePoints;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bouncycastle.asn1.ASN1Boolean;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.ReasonFlags;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;

/**
 * certguard's CRL reader against BouncyCastle's over 10,000 generated CRLs signed by the configured
 * CA: empty and long entry lists, 1- to 20-byte and negative serials, UTCTime around 1950 and 2049
 * and GeneralizedTime, entry reasons and invalidity dates, unknown critical extensions, Issuing
 * Distribution Point variants and deltas. Both must agree on accepting or refusing, and when both
 * accept, on issuer, numbers, dates, scope and every revoked serial with its hold or lift. Where
 * certguard is deliberately stricter than BouncyCastle's parser (which judges no RFC 5280 rule), the
 * rule is named in {@link #refusalRule}.
 */
class CrlReaderDifferentialTest {

    private static final TestCa CA = TestCa.ec("CN=differential CA");
    private static final CrlVerifier VERIFIER = new CrlVerifier(List.of(CA.certificate), Duration.ZERO);
    private static final Integer[] REASONS = {-1, 0, 1, 2, 3, 4, 5, 6, 8, 9, 10};

    /** One revoked entry as generated. */
    record Entry(BigInteger serial, int reason, boolean invalidityDate, boolean criticalUnknown, boolean issuer) {}

    /** One CRL as generated. Flags: 1 onlyUser, 2 onlyCA, 4 indirect, 8 onlyAttribute. */
    record Spec(
            Instant thisUpdate,
            boolean generalizedTimes,
            Long nextUpdateSeconds,
            BigInteger number,
            BigInteger deltaBase,
            boolean deltaCritical,
            List<String> idpNames,
            int idpFlags,
            int idpReasons,
            boolean freshest,
            boolean unknownCritical,
            List<Entry> entries) {}

    @Property(tries = 10_000)
    void certguard_and_bouncycastle_agree_on_every_generated_crl(@ForAll("crls") final Spec spec) throws Exception {
        final byte[] der = build(spec);
        final X509CRLHolder bc = new X509CRLHolder(der);
        final String rule = refusalRule(spec);
        net.jqwik.api.statistics.Statistics.collect(rule == null ? "both accept" : rule);

        VerifiedCrl crl = null;
        String refusal = null;
        try {
            crl = VERIFIER.verify(
                    ParsedCrl.parse(der), "generated", spec.thisUpdate().plusSeconds(1));
        } catch (final CrlFormatException | CrlVerificationException e) {
            refusal = e.getMessage();
        }
        if (rule != null) {
            assertThat(refusal).as("refused by the rule: %s", rule).isNotNull();
            return;
        }
        assertThat(refusal).as("BouncyCastle reads it and no rule refuses it").isNull();
        assertThat(crl.issuer()).isEqualTo(new X500Principal(bc.getIssuer().getEncoded()));
        assertThat(crl.thisUpdate()).isEqualTo(bc.getThisUpdate().toInstant());
        assertThat(crl.nextUpdate()).isEqualTo(bc.getNextUpdate().toInstant());
        assertThat(crl.number()).isEqualTo(spec.number());
        assertThat(crl.deltaBase()).isEqualTo(spec.deltaBase());
        assertThat(crl.namesDeltas()).isEqualTo(spec.freshest());
        final List<String> names = new ArrayList<>();
        spec.idpNames().forEach(uri -> names.add("uri:" + uri));
        assertThat(crl.scope().names()).containsExactlyElementsOf(names);
        assertThat(crl.scope().covers(false)).isEqualTo((spec.idpFlags() & 2) == 0);
        assertThat(crl.scope().covers(true)).isEqualTo((spec.idpFlags() & 1) == 0);
        assertThat(crl.scope().reasons())
                .isEqualTo(spec.idpReasons() == 0 ? CertificatePoints.ALL_REASONS : spec.idpReasons());

        final Set<BigInteger> otherReason = new HashSet<>();
        for (final Object entry : bc.getRevokedCertificates()) {
            final X509CRLEntryHolder revoked = (X509CRLEntryHolder) entry;
            final int reason = reasonOf(revoked);
            if (reason != CRLReason.certificateHold && reason != CRLReason.removeFromCRL) {
                otherReason.add(revoked.getSerialNumber());
            }
        }
        for (final Object entry : bc.getRevokedCertificates()) {
            final X509CRLEntryHolder revoked = (X509CRLEntryHolder) entry;
            final byte[] serial = revoked.getSerialNumber().toByteArray();
            final int reason = reasonOf(revoked);
            if (reason == CRLReason.removeFromCRL && crl.isDelta()) {
                assertThat(crl.lifted().contains(serial))
                        .as("lifted %s", revoked.getSerialNumber())
                        .isTrue();
            } else {
                assertThat(crl.revoked().contains(serial))
                        .as("revoked %s", revoked.getSerialNumber())
                        .isTrue();
            }
            if (reason == CRLReason.certificateHold) {
                assertThat(crl.held().contains(serial))
                        .as("held %s", revoked.getSerialNumber())
                        .isEqualTo(!otherReason.contains(revoked.getSerialNumber()));
            }
        }
        assertThat(crl.revoked().size()).isLessThanOrEqualTo(spec.entries().size());
    }

    /**
     * Why certguard refuses a CRL BouncyCastle's parser reads, or {@code null} when it must accept it:
     * RFC 5280 rules certguard applies (and a parser does not), and what it does not support.
     */
    static String refusalRule(final Spec spec) {
        if (spec.unknownCritical()) {
            return "an unknown critical CRL extension is refused (RFC 5280 5.2)";
        }
        for (final Entry entry : spec.entries()) {
            if (entry.issuer()) {
                return "indirect CRLs (certificateIssuer entries) are not supported";
            }
            if (entry.criticalUnknown()) {
                return "an unknown critical entry extension is refused (RFC 5280 5.3)";
            }
        }
        if ((spec.idpFlags() & 4) != 0) {
            return "an indirectCRL Issuing Distribution Point is not supported";
        }
        if ((spec.idpFlags() & 8) != 0) {
            return "onlyContainsAttributeCerts covers no certificate a broker sees";
        }
        if ((spec.idpFlags() & 3) == 3) {
            return "at most one only-flag in an Issuing Distribution Point (RFC 5280 5.2.5)";
        }
        if (spec.deltaBase() != null) {
            if (!spec.deltaCritical()) {
                return "a deltaCRLIndicator is critical (RFC 5280 5.2.4)";
            }
            if (spec.number() == null) {
                return "a delta CRL carries a CRL number (RFC 5280 5.2.4)";
            }
            if (spec.number().compareTo(spec.deltaBase()) <= 0) {
                return "a delta CRL's number is above its BaseCRLNumber";
            }
            if (spec.freshest()) {
                return "a delta CRL names no Freshest CRL (RFC 5280 5.2.6)";
            }
        }
        if (spec.nextUpdateSeconds() == null) {
            return "a CRL without nextUpdate is never known to be current";
        }
        if (spec.nextUpdateSeconds() <= 0) {
            return "a nextUpdate not after thisUpdate is never current";
        }
        return null;
    }

    private static int reasonOf(final X509CRLEntryHolder entry) {
        final Extension extension = entry.getExtension(Extension.reasonCode);
        return extension == null
                ? -1
                : ASN1Enumerated.getInstance(extension.getParsedValue()).intValueExact();
    }

    @Provide
    Arbitrary<Spec> crls() {
        final Arbitrary<Instant> instants = Arbitraries.oneOf(
                Arbitraries.longs()
                        .between(
                                ZonedDateTime.of(1950, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)
                                        .toEpochSecond(),
                                ZonedDateTime.of(2049, 12, 31, 23, 0, 0, 0, ZoneOffset.UTC)
                                        .toEpochSecond())
                        .map(Instant::ofEpochSecond),
                Arbitraries.of(
                        Instant.parse("1950-01-01T00:00:00Z"),
                        Instant.parse("1999-12-31T23:59:59Z"),
                        Instant.parse("2049-12-31T22:59:59Z"),
                        Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS)));
        final Arbitrary<BigInteger> serials = Arbitraries.bytes()
                .array(byte[].class)
                .ofMinSize(1)
                .ofMaxSize(20)
                .map(BigInteger::new);
        final Arbitrary<Entry> entry = Combinators.combine(
                        serials, Arbitraries.of(REASONS), Arbitraries.of(true, false))
                .as((serial, reason, invalidity) -> new Entry(serial, reason, invalidity, false, false));
        final Arbitrary<List<Entry>> entries = Arbitraries.oneOf(
                entry.list().ofMaxSize(12), entry.list().ofMinSize(200).ofMaxSize(400), Arbitraries.just(List.of()));
        final Arbitrary<BigInteger> numbers = Arbitraries.bigIntegers()
                .between(BigInteger.ZERO, BigInteger.TWO.pow(159).subtract(BigInteger.ONE));
        final Arbitrary<List<String>> names = Arbitraries.strings()
                .withCharRange('a', 'z')
                .ofMinLength(1)
                .ofMaxLength(8)
                .map(s -> "http://crl.example.com/" + s + ".crl")
                .list()
                .ofMaxSize(2);
        final Arbitrary<Long> nextUpdates = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        20, Arbitraries.longs().between(1, 400L * 24 * 3600).map(Long::valueOf)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(0L, 1L, -3600L)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just((Long) null)));
        final Arbitrary<Spec> base = Combinators.combine(
                        instants,
                        Arbitraries.of(true, false),
                        nextUpdates,
                        Arbitraries.frequencyOf(
                                net.jqwik.api.Tuple.of(5, numbers),
                                net.jqwik.api.Tuple.of(1, Arbitraries.just((BigInteger) null))))
                .as((thisUpdate, generalized, next, number) -> new Spec(
                        thisUpdate, generalized, next, number, null, true, List.of(), 0, 0, false, false, List.of()));
        return Combinators.combine(
                        base,
                        Arbitraries.integers().between(0, 9).withoutEdgeCases(),
                        names,
                        Arbitraries.integers().between(0, 39).withoutEdgeCases(),
                        Arbitraries.of(
                                0, ReasonFlags.keyCompromise | ReasonFlags.cACompromise, ReasonFlags.certificateHold),
                        Arbitraries.integers().between(0, 9).withoutEdgeCases(),
                        Arbitraries.integers().between(0, 39).withoutEdgeCases(),
                        entries)
                .as((generated, deltaChoice, idpNames, idpFlagBits, idpReasons, freshest, unknown, generatedList) -> {
                    // A few CRLs carry one hostile entry: an unknown critical extension, or a certificateIssuer.
                    final List<Entry> list = new ArrayList<>(generatedList);
                    if (!list.isEmpty() && (unknown == 2 || unknown == 3)) {
                        final Entry first = list.get(0);
                        list.set(
                                0,
                                new Entry(
                                        first.serial(),
                                        first.reason(),
                                        first.invalidityDate(),
                                        unknown == 2,
                                        unknown == 3));
                    }
                    final boolean delta = deltaChoice < 3;
                    final BigInteger number = delta && deltaChoice == 1 ? null : generated.number();
                    final BigInteger deltaBase = !delta
                            ? null
                            : generated.number() == null || generated.number().signum() == 0
                                    ? BigInteger.ONE
                                    : deltaChoice == 2
                                            ? generated.number()
                                            : generated.number().subtract(BigInteger.ONE);
                    // Mostly one only-flag or none; now and then two, indirect, or attribute certificates only.
                    final boolean idp = !idpNames.isEmpty() || idpFlagBits >= 30 || idpFlagBits % 4 == 0;
                    final int flags = idpFlagBits < 30
                            ? idpFlagBits % 3
                            : idpFlagBits < 33 ? 3 : idpFlagBits < 36 ? 4 | (idpFlagBits % 3) : 8;
                    return new Spec(
                            generated.thisUpdate(),
                            generated.generalizedTimes(),
                            generated.nextUpdateSeconds(),
                            number,
                            deltaBase,
                            !delta || unknown != 1,
                            idp ? idpNames : List.of(),
                            idp ? flags : 0,
                            idp ? idpReasons : 0,
                            freshest == 0,
                            unknown == 0,
                            list);
                });
    }

    static byte[] build(final Spec spec) throws Exception {
        final X500Name issuer =
                X500Name.getInstance(CA.certificate.getSubjectX500Principal().getEncoded());
        final X509v2CRLBuilder builder = new X509v2CRLBuilder(issuer, time(spec.thisUpdate(), spec.generalizedTimes()));
        if (spec.nextUpdateSeconds() != null) {
            builder.setNextUpdate(
                    time(spec.thisUpdate().plusSeconds(spec.nextUpdateSeconds()), spec.generalizedTimes()));
        }
        if (spec.number() != null) {
            builder.addExtension(Extension.cRLNumber, false, new CRLNumber(spec.number()));
        }
        if (spec.deltaBase() != null) {
            builder.addExtension(Extension.deltaCRLIndicator, spec.deltaCritical(), new CRLNumber(spec.deltaBase()));
        }
        if (!spec.idpNames().isEmpty() || spec.idpFlags() != 0 || spec.idpReasons() != 0) {
            builder.addExtension(Extension.issuingDistributionPoint, true, idp(spec));
        }
        if (spec.freshest()) {
            builder.addExtension(Extension.freshestCRL, false, new CRLDistPoint(new DistributionPoint[] {
                new DistributionPoint(
                        new DistributionPointName(new GeneralNames(new GeneralName(
                                GeneralName.uniformResourceIdentifier, "http://crl.example.com/delta.crl"))),
                        null,
                        null)
            }));
        }
        if (spec.unknownCritical()) {
            builder.addExtension(new ASN1ObjectIdentifier("1.2.3.4.5"), true, new DEROctetString(new byte[] {1}));
        }
        for (final Entry entry : spec.entries()) {
            final ExtensionsGenerator extensions = new ExtensionsGenerator();
            if (entry.reason() >= 0) {
                extensions.addExtension(Extension.reasonCode, false, CRLReason.lookup(entry.reason()));
            }
            if (entry.invalidityDate()) {
                extensions.addExtension(
                        Extension.invalidityDate, false, new ASN1GeneralizedTime(Date.from(spec.thisUpdate())));
            }
            if (entry.criticalUnknown()) {
                extensions.addExtension(
                        new ASN1ObjectIdentifier("1.2.3.4.6"), true, new DEROctetString(new byte[] {2}));
            }
            if (entry.issuer()) {
                extensions.addExtension(Extension.certificateIssuer, true, new GeneralNames(new GeneralName(issuer)));
            }
            builder.addCRLEntry(
                    entry.serial(), Date.from(spec.thisUpdate()), extensions.isEmpty() ? null : extensions.generate());
        }
        return builder.build(TestCa.signer("SHA256withECDSA").build(CA.keys.getPrivate()))
                .getEncoded();
    }

    /** The Issuing Distribution Point, by hand: BouncyCastle's own class refuses two only-flags. */
    private static DERSequence idp(final Spec spec) {
        final ASN1EncodableVector fields = new ASN1EncodableVector();
        if (!spec.idpNames().isEmpty()) {
            final GeneralName[] uris = spec.idpNames().stream()
                    .map(uri -> new GeneralName(GeneralName.uniformResourceIdentifier, uri))
                    .toArray(GeneralName[]::new);
            fields.add(new DERTaggedObject(true, 0, new DistributionPointName(new GeneralNames(uris))));
        }
        if ((spec.idpFlags() & 1) != 0) {
            fields.add(new DERTaggedObject(false, 1, ASN1Boolean.TRUE));
        }
        if ((spec.idpFlags() & 2) != 0) {
            fields.add(new DERTaggedObject(false, 2, ASN1Boolean.TRUE));
        }
        if (spec.idpReasons() != 0) {
            fields.add(new DERTaggedObject(false, 3, new ReasonFlags(spec.idpReasons())));
        }
        if ((spec.idpFlags() & 4) != 0) {
            fields.add(new DERTaggedObject(false, 4, ASN1Boolean.TRUE));
        }
        if ((spec.idpFlags() & 8) != 0) {
            fields.add(new DERTaggedObject(false, 5, ASN1Boolean.TRUE));
        }
        return new DERSequence(fields);
    }

    private static Time time(final Instant instant, final boolean generalized) {
        final Date date = Date.from(instant);
        return generalized ? new Time(new ASN1GeneralizedTime(date)) : new Time(date);
    }
}
