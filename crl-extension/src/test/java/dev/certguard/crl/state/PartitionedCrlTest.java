package dev.certguard.crl.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.path.CertificatePoints;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.crl.verify.VerifiedCrl;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.ReasonFlags;
import org.junit.jupiter.api.Test;

/**
 * RFC 5280 6.3.3 over partitioned CRLs: a partition decides only the certificates whose distribution
 * point it names (and of the kind and for the reasons it says); a certificate no usable CRL covers
 * for every reason is unavailable, never passed.
 */
class PartitionedCrlTest {

    private static final String PART_1 = "http://crl.example.com/part-1.crl";
    private static final String PART_2 = "http://crl.example.com/part-2.crl";
    private static final int KEY_AND_CA = ReasonFlags.keyCompromise | ReasonFlags.cACompromise;
    private static final int OTHER_REASONS = CertificatePoints.ALL_REASONS & ~KEY_AND_CA;

    private static final TestCa CA = TestCa.ec("CN=partitioned CA");
    private static final KeyPair DEVICE_KEYS = TestCa.ec("CN=unused").keys;
    private static final X509Certificate IN_PART_1 = device(11, PART_1, 0);
    private static final X509Certificate IN_PART_2 = device(12, PART_2, 0);
    private static final X509Certificate NO_POINT = device(13, null, 0);
    private static final X509Certificate KEY_ONLY_POINT = device(14, PART_1, KEY_AND_CA);
    private static final Authorities AUTHORITIES = new Authorities(List.of(CA.certificate), 100);

    private static X509Certificate device(final long serial, final String uri, final int reasons) {
        return TestCa.issue(
                CA.certificate,
                CA.keys,
                "CN=acme:device-" + serial,
                DEVICE_KEYS.getPublic(),
                serial,
                false,
                uri == null ? null : new DistributionPoint[] {TestCa.point(uri, reasons)});
    }

    private static TestCa.Crl partition(final String uri, final long... revoked) {
        final TestCa.Crl crl = CA.crl();
        crl.idp = TestCa.idp(uri, true, false, 0);
        crl.revoked = serials(revoked);
        return crl;
    }

    private static BigInteger[] serials(final long... revoked) {
        final BigInteger[] out = new BigInteger[revoked.length];
        for (int i = 0; i < revoked.length; i++) {
            out[i] = BigInteger.valueOf(revoked[i]);
        }
        return out;
    }

    private static RevocationState state(final TestCa.Crl... crls) throws Exception {
        final RevocationState state = new RevocationState();
        for (final TestCa.Crl crl : crls) {
            install(state, crl);
        }
        return state;
    }

    private static boolean install(final RevocationState state, final TestCa.Crl crl) throws Exception {
        return state.install(new CrlVerifier(List.of(CA.certificate), Duration.ZERO)
                .verify(ParsedCrl.parse(crl.der()), "test", Instant.now()));
    }

    private static RevocationSnapshot.Status check(final RevocationState state, final X509Certificate certificate) {
        return state.snapshot().check(AUTHORITIES.path(certificate), Instant.now(), Duration.ZERO);
    }

    @Test
    void a_partition_decides_exactly_the_certificates_that_name_it() throws Exception {
        final RevocationState state = state(partition(PART_1, 11, 12), partition(PART_2));

        assertThat(check(state, IN_PART_1).revoked()).isEqualTo(IN_PART_1);
        assertThat(check(state, IN_PART_2).good())
                .as("serial 12 on partition 1's list does not concern a certificate of partition 2")
                .isTrue();
    }

    @Test
    void a_certificate_whose_partition_is_not_loaded_is_unavailable_never_passed() throws Exception {
        final RevocationState state = state(partition(PART_1));

        assertThat(check(state, IN_PART_1).good()).isTrue();
        assertThat(check(state, IN_PART_2).unavailableIssuer()).isEqualTo(CA.certificate.getSubjectX500Principal());
        assertThat(check(state, NO_POINT).unavailableIssuer())
                .as("a certificate naming no distribution point is covered only by a CRL that names none")
                .isNotNull();
    }

    @Test
    void a_partition_that_names_no_point_covers_by_its_flags() throws Exception {
        final TestCa.Crl users = CA.crl();
        users.idp = TestCa.idp(null, true, false, 0);
        users.revoked = serials(13);
        final TestCa.Crl cas = CA.crl();
        cas.idp = TestCa.idp(null, false, true, 0);

        assertThat(check(state(users), NO_POINT).revoked()).isEqualTo(NO_POINT);
        assertThat(check(state(users), IN_PART_2).good()).isTrue();
        assertThat(check(state(cas), IN_PART_2).unavailableIssuer())
                .as("a CRL of CA certificates only says nothing about a device")
                .isNotNull();
    }

    @Test
    void partitions_for_some_reasons_count_only_when_together_they_cover_every_reason() throws Exception {
        final TestCa.Crl keyCompromise = partition(PART_1);
        keyCompromise.idp = TestCa.idp(PART_1, true, false, KEY_AND_CA);
        final TestCa.Crl otherReasons = partition(PART_1);
        otherReasons.idp = TestCa.idp(PART_1, true, false, OTHER_REASONS);

        assertThat(check(state(keyCompromise), IN_PART_1).unavailableIssuer()).isNotNull();
        assertThat(check(state(keyCompromise, otherReasons), IN_PART_1).good()).isTrue();
        assertThat(check(state(partition(PART_1)), KEY_ONLY_POINT).unavailableIssuer())
                .as("a distribution point for some reasons covers only those, whatever its CRL covers")
                .isNotNull();
    }

    @Test
    void a_stale_partition_decides_nothing() throws Exception {
        final TestCa.Crl stale = partition(PART_1, 11);
        stale.thisUpdate = Instant.now().minusSeconds(7200);
        stale.nextUpdate = Instant.now().minusSeconds(60);
        final RevocationState state = new RevocationState();
        state.install(new CrlVerifier(List.of(CA.certificate), Duration.ofHours(1))
                .verify(ParsedCrl.parse(stale.der()), "test", Instant.now()));

        assertThat(check(state, IN_PART_1).unavailableIssuer()).isNotNull();
        assertThat(check(state, IN_PART_1).revoked()).isNull();
    }

    @Test
    void a_complete_crl_still_covers_every_certificate_of_its_issuer() throws Exception {
        final TestCa.Crl complete = CA.crl();
        complete.revoked = serials(12);
        final RevocationState state = state(complete);

        assertThat(check(state, IN_PART_1).good()).isTrue();
        assertThat(check(state, NO_POINT).good()).isTrue();
        assertThat(check(state, IN_PART_2).revoked()).isEqualTo(IN_PART_2);
    }

    @Test
    void each_partition_has_its_own_numbers_and_rollback_protection() throws Exception {
        final TestCa.Crl first = partition(PART_1);
        first.number = BigInteger.valueOf(5);
        final TestCa.Crl other = partition(PART_2);
        other.number = BigInteger.valueOf(3);
        final TestCa.Crl older = partition(PART_1);
        older.number = BigInteger.valueOf(4);
        final RevocationState state = state(first);

        assertThat(install(state, other))
                .as("a lower number in another partition is no rollback")
                .isTrue();
        assertThatThrownBy(() -> install(state, older)).isInstanceOf(RevocationState.RollbackException.class);
        assertThat(state.snapshot().crls()).hasSize(2);
    }

    @Test
    void the_distribution_points_of_a_certificate_are_read_with_their_reasons_and_indirect_ones_set_apart() {
        final X509Certificate mixed = TestCa.issue(
                CA.certificate, CA.keys, "CN=acme:mixed", DEVICE_KEYS.getPublic(), 20, false, new DistributionPoint[] {
                    TestCa.point("ldap://ldap.example.com/cn=CA?certificateRevocationList", 0),
                    TestCa.point(PART_1, KEY_AND_CA),
                    new DistributionPoint(
                            TestCa.point(PART_2, 0).getDistributionPoint(),
                            null,
                            new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
                                    new org.bouncycastle.asn1.x500.X500Name("CN=other CA"))))
                });

        final CertificatePoints points = CertificatePoints.of(mixed);

        assertThat(points.points()).hasSize(3);
        assertThat(points.points().get(1).names()).containsExactly("uri:" + PART_1);
        assertThat(points.points().get(1).reasons()).isEqualTo(KEY_AND_CA);
        assertThat(points.points().get(2).indirect()).isTrue();
        assertThat(points.fetchable())
                .as("only http(s) names of direct points are fetched, never an indirect one's")
                .extracting(Object::toString)
                .containsExactly(PART_1);
        assertThat(CertificatePoints.of(NO_POINT).points()).isEmpty();
    }

    @Test
    void a_newer_partition_crl_replaces_the_older_one_in_the_index() throws Exception {
        final TestCa.Crl first = partition(PART_1, 11);
        final TestCa.Crl second = partition(PART_1);
        second.number = BigInteger.TWO;
        final RevocationState state = state(first, partition(PART_2));

        assertThat(check(state, IN_PART_1).revoked()).isNotNull();
        install(state, second);
        assertThat(check(state, IN_PART_1).good())
                .as("the replaced partition CRL decides nothing any more")
                .isTrue();
        assertThat(state.snapshot().crls()).hasSize(2);
        assertThat(state.snapshot().crls().values())
                .extracting(VerifiedCrl::number)
                .contains(BigInteger.TWO);
    }

    @Test
    void a_certificates_own_partition_going_stale_leaves_it_unavailable_whatever_else_covers_it() throws Exception {
        final TestCa.Crl stale = partition(PART_1);
        stale.thisUpdate = Instant.now().minusSeconds(7200);
        stale.nextUpdate = Instant.now().minusSeconds(60);
        final RevocationState state = new RevocationState();
        state.install(new CrlVerifier(List.of(CA.certificate), Duration.ofHours(1))
                .verify(ParsedCrl.parse(stale.der()), "test", Instant.now()));
        install(state, CA.crl());

        assertThat(check(state, IN_PART_1).unavailableIssuer())
                .as("an old complete CRL served somewhere does not stand in for the device's own partition")
                .isNotNull();
        assertThat(check(state, IN_PART_2).good()).isTrue();
    }

    @Test
    void a_crl_issuer_that_names_the_certificates_own_issuer_is_a_direct_point() {
        final X509Certificate named = TestCa.issue(
                CA.certificate,
                CA.keys,
                "CN=acme:own-issuer",
                DEVICE_KEYS.getPublic(),
                21,
                false,
                new DistributionPoint[] {
                    new DistributionPoint(
                            TestCa.point(PART_1, 0).getDistributionPoint(),
                            null,
                            new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName(
                                    org.bouncycastle.asn1.x500.X500Name.getInstance(CA.certificate
                                            .getSubjectX500Principal()
                                            .getEncoded()))))
                });

        assertThat(CertificatePoints.of(named).points().get(0).indirect()).isFalse();
        assertThat(CertificatePoints.of(named).fetchable())
                .extracting(Object::toString)
                .containsExactly(PART_1);
    }
}
