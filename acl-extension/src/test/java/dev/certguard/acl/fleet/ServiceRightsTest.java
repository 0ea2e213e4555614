package dev.certguard.acl.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceRightsTest {

    private static List<ServiceRights.Excess> judge(final List<String> publish, final List<String> subscribe) {
        return ServiceRights.judge(
                new AclConfig(false, Set.of(), List.of(new ServiceRule("bridge", null, publish, subscribe, false))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "+/#", "+/+", "+/+/#", "$share/g/#"})
    void a_filter_of_wildcards_only_is_overly_permissive_either_way(final String filter) {
        assertThat(judge(List.of(filter), List.of()))
                .as("publish %s", filter)
                .extracting(ServiceRights.Excess::permission)
                .contains("publish " + filter);
        assertThat(judge(List.of(), List.of(filter)))
                .as("subscribe %s", filter)
                .extracting(ServiceRights.Excess::permission)
                .contains("subscribe " + filter);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+/attrs", "+/config", "admin:a1998e/#", "bridge/+", "$SYS/#"})
    void a_filter_with_a_literal_level_alone_is_not(final String filter) {
        assertThat(judge(List.of(filter), List.of(filter))).as(filter).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void publishing_every_attrs_and_subscribing_every_config_can_act_as_any_device() {
        final List<ServiceRights.Excess> found = judge(List.of("+/attrs"), List.of("$share/k/+/config"));

        assertThat(found)
                .extracting(ServiceRights.Excess::permission)
                .containsExactly("publish +/attrs and subscribe $share/k/+/config");
        assertThat(found.get(0).details()).contains("act as any device");
    }

    @org.junit.jupiter.api.Test
    void the_usual_bridges_raise_nothing() {
        assertThat(judge(List.of(), List.of("+/attrs"))).isEmpty();
        assertThat(judge(List.of("+/config"), List.of())).isEmpty();
    }
}
