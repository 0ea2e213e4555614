package dev.certguard.crl.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.certguard.config.InvalidConfigException;
import dev.certguard.crl.verify.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrlConfigParserTest {

    @TempDir
    Path home;

    private void writeCa() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(
                home.resolve("conf/ca.pem"),
                "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder()
                                .encodeToString(
                                        TestCa.ec("CN=IOTmidCA").certificate.getEncoded())
                        + "\n-----END CERTIFICATE-----\n");
    }

    private CrlConfig parse(final String xml) throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/config.xml"), xml);
        return CrlConfigParser.parse(
                home.resolve("conf/config.xml"), home, Map.of("CRL_URL", "https://pki.example.org/IOTmidCA.crl"));
    }

    @Test
    void relative_paths_resolve_against_the_extension_folder_and_urls_are_recognised() throws Exception {
        writeCa();

        final CrlConfig config = parse(
                """
                <crl-extension>
                    <ca-certificates>conf/ca.pem</ca-certificates>
                    <crl-sources><crl-source>conf/ca.crl</crl-source><crl-source>${CRL_URL}</crl-source></crl-sources>
                    <refresh-interval-seconds>1</refresh-interval-seconds>
                    <when-unavailable>allow</when-unavailable>
                </crl-extension>""");

        assertThat(config.caCertificates()).hasSize(1);
        assertThat(config.fileSources()).containsExactly(home.resolve("conf/ca.crl"));
        assertThat(config.httpSources())
                .extracting(Object::toString)
                .containsExactly("https://pki.example.org/IOTmidCA.crl");
        assertThat(config.refreshInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.whenUnavailable()).isEqualTo(CrlConfig.WhenUnavailable.ALLOW);
        assertThat(config.disconnectRevokedClients()).isTrue();
        assertThat(config.warnBeforeExpiry()).isEqualTo(Duration.ofSeconds(43200));
    }

    @Test
    void shipped_defaults_fail_closed_until_the_operator_points_them_at_real_files() {
        final InvalidConfigException e = catchThrowableOfType(
                InvalidConfigException.class,
                () -> CrlConfigParser.parse(Path.of("src/hivemq-extension/conf/config.xml"), home, Map.of()));

        assertThat(e.getMessage()).contains("<ca-certificates> /etc/certguard/ca.pem does not exist");
    }

    @Test
    void every_problem_is_reported_with_file_and_element() throws Exception {
        writeCa();

        final InvalidConfigException e = catchThrowableOfType(
                InvalidConfigException.class,
                () -> parse(
                        """
                <crl-extension>
                    <ca-certificates>conf/ca.pem</ca-certificates>
                    <crl-sources><crl-source>ldap://x/y</crl-source></crl-sources>
                    <refresh-interval-seconds>0</refresh-interval-seconds>
                    <when-unavailable>maybe</when-unavailable>
                    <watch-certificates><certificate>conf/missing.pem</certificate></watch-certificates>
                </crl-extension>"""));

        assertThat(e.problems())
                .containsExactlyInAnyOrder(
                        "crl-extension/conf/config.xml: <crl-sources/crl-source> 'ldap://x/y' uses an unsupported scheme (http, https or a file path)",
                        "crl-extension/conf/config.xml: <crl-sources> no CRL source: list at least one <crl-source>, enable <ocsp> or <client-distribution-points>, or enable <discover-distribution-points>",
                        "crl-extension/conf/config.xml: <refresh-interval-seconds> must be >= 1, was 0",
                        "crl-extension/conf/config.xml: <when-unavailable> must be reject or allow, was 'maybe'",
                        "crl-extension/conf/config.xml: <watch-certificates/certificate> "
                                + home.resolve("conf/missing.pem") + " does not exist or is not a file");
    }

    @Test
    void an_ocsp_block_is_read_and_makes_the_crl_sources_optional(@org.junit.jupiter.api.io.TempDir final Path home)
            throws Exception {
        final Path ca = home.resolve("ca.pem");
        java.nio.file.Files.write(
                ca, dev.certguard.crl.verify.TestCa.ec("CN=ocsp ca").certificate.getEncoded());
        final Path file = home.resolve("config.xml");
        java.nio.file.Files.writeString(
                file,
                """
                <crl-extension>
                    <ca-certificates>ca.pem</ca-certificates>
                    <ocsp>
                        <enabled>true</enabled>
                        <responder-url>http://127.0.0.1:9/ocsp</responder-url>
                        <timeout-seconds>2</timeout-seconds>
                        <cache-seconds>30</cache-seconds>
                        <max-cached-responses>10</max-cached-responses>
                        <refresh-before-expiry-seconds>5</refresh-before-expiry-seconds>
                        <use-nonce>true</use-nonce>
                        <when-unavailable>allow</when-unavailable>
                    </ocsp>
                </crl-extension>
                """);

        final CrlConfig config = CrlConfigParser.parse(file, home, java.util.Map.of());

        assertThat(config.crlEnabled()).isFalse();
        assertThat(config.ocsp().enabled()).isTrue();
        assertThat(config.ocsp().responderUrl()).hasToString("http://127.0.0.1:9/ocsp");
        assertThat(config.ocsp().timeout()).hasSeconds(2);
        assertThat(config.ocsp().cacheFor()).hasSeconds(30);
        assertThat(config.ocsp().maxCachedResponses()).isEqualTo(10);
        assertThat(config.ocsp().refreshBeforeExpiry()).hasSeconds(5);
        assertThat(config.ocsp().useNonce()).isTrue();
        assertThat(config.ocsp().whenUnavailable()).isEqualTo(CrlConfig.WhenUnavailable.ALLOW);

        java.nio.file.Files.writeString(
                file,
                """
                <crl-extension>
                    <ca-certificates>ca.pem</ca-certificates>
                    <ocsp><enabled>true</enabled><responder-url>ldap://x</responder-url><when-unavailable>maybe</when-unavailable></ocsp>
                </crl-extension>
                """);
        final dev.certguard.config.InvalidConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                dev.certguard.config.InvalidConfigException.class,
                () -> CrlConfigParser.parse(file, home, java.util.Map.of()));
        assertThat(e.problems())
                .containsExactlyInAnyOrder(
                        "crl-extension/conf/config.xml: <ocsp/responder-url> 'ldap://x' must be an http:// or https:// URL",
                        "crl-extension/conf/config.xml: <ocsp/when-unavailable> must be reject or allow, was 'maybe'");
    }

    @Test
    void client_distribution_points_alone_are_a_crl_source_and_keep_their_prefixes_and_bounds() throws Exception {
        writeCa();

        final CrlConfig config = parse(
                """
                <crl-extension>
                    <ca-certificates>conf/ca.pem</ca-certificates>
                    <client-distribution-points>
                        <enabled>true</enabled>
                        <allowed-url-prefix>https://crl.example.com/partitions/</allowed-url-prefix>
                        <allowed-url-prefix>http://127.0.0.1:8080/</allowed-url-prefix>
                        <max-sources>50</max-sources>
                        <idle-seconds>3600</idle-seconds>
                    </client-distribution-points>
                </crl-extension>""");

        final ClientDistributionPoints points = config.clientDistributionPoints();
        assertThat(config.crlEnabled()).isTrue();
        assertThat(points.enabled()).isTrue();
        assertThat(points.maxSources()).isEqualTo(50);
        assertThat(points.idle()).isEqualTo(Duration.ofHours(1));
        assertThat(points.allows("https://crl.example.com/partitions/1.crl")).isTrue();
        assertThat(points.allows("http://127.0.0.1:8080/crl/2.crl")).isTrue();
        assertThat(points.allows("https://crl.example.com/other/1.crl")).isFalse();
        assertThat(points.allows("http://127.0.0.1:8081/crl/2.crl")).isFalse();
    }

    @Test
    void client_distribution_points_are_off_by_default_and_when_disabled_allow_nothing() throws Exception {
        writeCa();

        final CrlConfig absent = parse(
                """
                <crl-extension>
                    <ca-certificates>conf/ca.pem</ca-certificates>
                    <crl-sources><crl-source>conf/ca.crl</crl-source></crl-sources>
                </crl-extension>""");
        final CrlConfig disabled = parse(
                """
                <crl-extension>
                    <ca-certificates>conf/ca.pem</ca-certificates>
                    <crl-sources><crl-source>conf/ca.crl</crl-source></crl-sources>
                    <client-distribution-points>
                        <enabled>false</enabled>
                        <allowed-url-prefix>https://crl.example.com/</allowed-url-prefix>
                    </client-distribution-points>
                </crl-extension>""");

        assertThat(absent.clientDistributionPoints()).isEqualTo(ClientDistributionPoints.DISABLED);
        assertThat(disabled.clientDistributionPoints().allows("https://crl.example.com/1.crl"))
                .isFalse();
    }

    @Test
    void enabled_without_a_prefix_a_loose_prefix_and_out_of_range_bounds_are_each_reported() throws Exception {
        writeCa();

        final InvalidConfigException e = catchThrowableOfType(
                InvalidConfigException.class,
                () -> parse(
                        """
                <crl-extension>
                    <ca-certificates>conf/ca.pem</ca-certificates>
                    <client-distribution-points>
                        <enabled>true</enabled>
                        <max-sources>0</max-sources>
                        <idle-seconds>5</idle-seconds>
                    </client-distribution-points>
                </crl-extension>"""));
        final InvalidConfigException loose = catchThrowableOfType(
                InvalidConfigException.class,
                () -> parse(
                        """
                <crl-extension>
                    <ca-certificates>conf/ca.pem</ca-certificates>
                    <client-distribution-points>
                        <enabled>true</enabled>
                        <allowed-url-prefix>https://crl.example.com</allowed-url-prefix>
                    </client-distribution-points>
                </crl-extension>"""));

        assertThat(e.problems())
                .anySatisfy(problem ->
                        assertThat(problem).contains("allowed-url-prefix>").contains("at least one is needed"))
                .anySatisfy(problem -> assertThat(problem).contains("max-sources> must be >= 1"))
                .anySatisfy(problem -> assertThat(problem).contains("idle-seconds> must be >= 60"));
        assertThat(loose.problems()).anySatisfy(problem -> assertThat(problem).contains("must end in '/'"));
    }
}
