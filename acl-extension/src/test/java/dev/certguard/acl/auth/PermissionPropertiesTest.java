package dev.certguard.acl.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extensions.auth.parameter.TopicPermissionImpl;
import com.hivemq.extensions.packets.general.ModifiableDefaultPermissionsImpl;
import com.hivemq.mqtt.handler.publish.DefaultPermissionsEvaluator;
import com.hivemq.mqtt.message.QoS;
import com.hivemq.mqtt.message.subscribe.Topic;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.identity.DeviceIdentity;
import dev.certguard.identity.InvalidIdentityException;
import dev.certguard.testing.MqttMatching;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * certguard's identity rule and the permissions it hands HiveMQ, against an oracle written from the
 * documented rules (docs/reference/acl-extension.md), with HiveMQ's own permission evaluator judging every PUBLISH and SUBSCRIBE:
 * whatever the CN, topic or filter, HiveMQ never allows what the oracle denies. 100,000 generated
 * cases per property in every test run.
 */
class PermissionPropertiesTest {

    private static final Method CHECK_PUBLISH;

    static {
        try {
            CHECK_PUBLISH = DefaultPermissionsEvaluator.class.getDeclaredMethod(
                    "checkPublish",
                    com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions.class,
                    String.class,
                    QoS.class,
                    boolean.class);
            CHECK_PUBLISH.setAccessible(true);
        } catch (final NoSuchMethodException e) {
            throw new IllegalStateException("HiveMQ's evaluator changed", e);
        }
    }

    /** Level material: plain, hostile and look-alike. */
    private static Arbitrary<String> level() {
        return Arbitraries.oneOf(
                Arbitraries.of("admin", "a1998e", "attrs", "config", "x", "", "+", "#", "$SYS", "$share", "g"),
                Arbitraries.strings()
                        .withChars("ab:+#$/\u0000\t \u200b\u202e\uff1a\u2215é")
                        .ofMinLength(0)
                        .ofMaxLength(4),
                Arbitraries.strings().alpha().ofLength(200));
    }

    private static Arbitrary<String> topicLike(final Arbitrary<String> firstLevels) {
        return Combinators.combine(firstLevels, level().list().ofMinSize(0).ofMaxSize(3), Arbitraries.of("", "/"))
                .as((first, rest, trail) -> {
                    final StringBuilder out = new StringBuilder(first);
                    for (final String level : rest) {
                        out.append('/').append(level);
                    }
                    return out.append(trail).toString();
                });
    }

    @Provide
    Arbitrary<String> commonNames() {
        final Arbitrary<String> part = Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings()
                        .withChars(
                                "az09-_.:/+#$\u0000\n\r\t \u00a0\u200b\u200e\u202e\u2028\ufeff\uff1a\u2215\u0430é\ud83d\ude00")
                        .ofMinLength(0)
                        .ofMaxLength(8),
                Arbitraries.strings().alpha().ofMinLength(60).ofMaxLength(140));
        return Combinators.combine(part, Arbitraries.of(":", "", "::", "\uff1a"), part)
                .as((a, sep, b) -> a + sep + b);
    }

    /** The documented identity rule, written independently: one ':' between two plain, non-empty parts. */
    static boolean oracleAcceptsIdentity(final String cn) {
        if (cn.getBytes(StandardCharsets.UTF_8).length > 128) {
            return false;
        }
        final int colon = cn.indexOf(':');
        if (colon <= 0 || colon == cn.length() - 1 || cn.indexOf(':', colon + 1) >= 0) {
            return false;
        }
        for (int i = 0; i < cn.length(); ) {
            final int cp = cn.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == ':') {
                continue;
            }
            if ("/+#$".indexOf(cp) >= 0
                    || Character.isISOControl(cp)
                    || Character.isWhitespace(cp)
                    || Character.isSpaceChar(cp)
                    || Character.getType(cp) == Character.FORMAT
                    || Character.getType(cp) == Character.SURROGATE
                    || Character.getType(cp) == Character.UNASSIGNED
                    || Character.getType(cp) == Character.PRIVATE_USE
                    || Character.getType(cp) == Character.LINE_SEPARATOR
                    || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR) {
                return false;
            }
        }
        return true;
    }

    @Property(tries = 100_000)
    void the_identity_parser_never_accepts_what_the_documented_rule_refuses(@ForAll("commonNames") final String cn) {
        boolean parsed;
        try {
            DeviceIdentity.parse(cn);
            parsed = true;
        } catch (final InvalidIdentityException e) {
            parsed = false;
        }
        if (parsed) {
            assertThat(oracleAcceptsIdentity(cn)).as("accepted %s", cn).isTrue();
        }
    }

    /** A device's permissions as certguard hands them to HiveMQ, in HiveMQ's own permission objects. */
    private static ModifiableDefaultPermissionsImpl handedToHiveMq(final Principal principal, final AclConfig config) {
        final ModifiableDefaultPermissionsImpl permissions = new ModifiableDefaultPermissionsImpl();
        for (final TopicPermission p : new TopicPermissions(FakeTopicPermissionBuilder::new, config).of(principal)) {
            permissions.add(new TopicPermissionImpl(
                    p.getTopicFilter(),
                    p.getType(),
                    p.getQos(),
                    p.getActivity(),
                    p.getPublishRetain(),
                    p.getSharedSubscription(),
                    p.getSharedGroup()));
        }
        permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        return permissions;
    }

    private static boolean hivemqAllowsPublish(final ModifiableDefaultPermissionsImpl permissions, final String topic)
            throws Exception {
        return (boolean) CHECK_PUBLISH.invoke(null, permissions, topic, QoS.AT_LEAST_ONCE, false);
    }

    private static boolean hivemqAllowsSubscribe(
            final ModifiableDefaultPermissionsImpl permissions, final String filter) {
        return DefaultPermissionsEvaluator.checkSubscription(permissions, new Topic(filter, QoS.AT_LEAST_ONCE));
    }

    @Provide
    Arbitrary<String[]> deviceCases() {
        final Arbitrary<String> identity = Combinators.combine(
                        Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(6),
                        Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(6))
                .as((t, d) -> t + ":" + d);
        return identity.flatMap(id -> {
            final Arbitrary<String> own = Arbitraries.of(id, id + "/attrs", id + "/config", "$share/g/" + id);
            final Arbitrary<String> first = Arbitraries.oneOf(own, level(), Arbitraries.of("$share/g", "$SYS"));
            return topicLike(first).map(topic -> new String[] {id, topic});
        });
    }

    /** The documented device rule: publish exactly to {@code <id>/attrs}, subscribe exactly to {@code <id>/config}. */
    @Property(tries = 100_000)
    void hivemq_never_lets_a_device_beyond_its_two_topics(@ForAll("deviceCases") final String[] c) throws Exception {
        final String id = c[0];
        final String topic = c[1];
        final ModifiableDefaultPermissionsImpl permissions =
                handedToHiveMq(Principal.device(DeviceIdentity.parse(id)), new AclConfig(false, Set.of(), List.of()));

        if (hivemqAllowsPublish(permissions, topic)) {
            assertThat(topic).as("publish allowed").isEqualTo(id + "/attrs");
        }
        if (hivemqAllowsSubscribe(permissions, topic)) {
            assertThat(MqttMatching.withoutShare(topic))
                    .as("subscribe allowed to %s", topic)
                    .isEqualTo(id + "/config");
        }
    }

    @Provide
    Arbitrary<List<String>> serviceCases() {
        final Arbitrary<String> filterLevel = Arbitraries.of("a", "b", "attrs", "config", "+", "$SYS", "x:y");
        final Arbitrary<String> filter = filterLevel
                .list()
                .ofMinSize(1)
                .ofMaxSize(3)
                .flatMap(levels -> Arbitraries.of("", "/#").map(tail -> String.join("/", levels) + tail))
                .filter(f -> dev.certguard.acl.config.TopicFilters.problem(f) == null);
        final Arbitrary<String> probe = topicLike(Arbitraries.oneOf(
                Arbitraries.of("a", "b", "attrs", "x:y", "$SYS", "$share/g/a", "+", "#", ""), level()));
        return Combinators.combine(
                        filter.list().ofMinSize(1).ofMaxSize(3),
                        filter.list().ofMinSize(0).ofMaxSize(2),
                        probe)
                .as((publish, subscribe, topic) -> {
                    final List<String> out = new ArrayList<>();
                    out.add(topic);
                    out.add(String.valueOf(publish.size()));
                    out.addAll(publish);
                    out.addAll(subscribe);
                    return out;
                });
    }

    /** The documented service rule: only what the configured filters match (publish) or cover (subscribe). */
    @Property(tries = 100_000)
    void hivemq_never_lets_a_service_beyond_its_configured_filters(@ForAll("serviceCases") final List<String> c)
            throws Exception {
        final String topic = c.get(0);
        final int publishCount = Integer.parseInt(c.get(1));
        final List<String> publish = c.subList(2, 2 + publishCount);
        final List<String> subscribe = c.subList(2 + publishCount, c.size());
        final ServiceRule rule = new ServiceRule("bridge", null, publish, subscribe, false);
        final AclConfig config = new AclConfig(false, Set.of(), List.of(rule));
        final ModifiableDefaultPermissionsImpl permissions = handedToHiveMq(Principal.service(rule), config);

        // What a service may publish is HiveMQ's verdict on the permissions and certguard's $-topic guard.
        final boolean guarded = DollarTopicGuard.needed(publish) && new DollarTopicGuard(publish).blocks(topic);
        if (hivemqAllowsPublish(permissions, topic) && !guarded && !topic.contains("+") && !topic.contains("#")) {
            assertThat(publish.stream().anyMatch(f -> MqttMatching.matches(f, topic)))
                    .as("publish to '%s' allowed by %s", topic, publish)
                    .isTrue();
        }
        // What a service may subscribe to is HiveMQ's verdict on the filter certguard's guard lets through.
        final String standIn =
                SubscriptionGuard.needed(subscribe) ? new SubscriptionGuard(subscribe).refused(topic, 0) : null;
        if (hivemqAllowsSubscribe(permissions, standIn == null ? topic : standIn)) {
            assertThat(subscribe.stream().anyMatch(f -> MqttMatching.covers(f, MqttMatching.withoutShare(topic))))
                    .as("subscribe to '%s' allowed by %s", topic, subscribe)
                    .isTrue();
        }
    }
}
