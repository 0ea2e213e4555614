package dev.certguard.reload;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.config.InvalidConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ConfigReloadTest {

    private final MetricRegistry registry = new MetricRegistry();
    private final AtomicReference<Object> file = new AtomicReference<>("v2");
    private final List<String> applied = new ArrayList<>();
    private final ConfigReload<String> reload = new ConfigReload<>(
            "test-extension",
            "conf/config.xml",
            "v1",
            () -> {
                final Object content = file.get();
                if (content instanceof InvalidConfigException) {
                    throw (InvalidConfigException) content;
                }
                if (content instanceof RuntimeException) {
                    return "unappliable";
                }
                return (String) content;
            },
            (previous, next) -> {
                if (next.equals("unappliable")) {
                    throw new IllegalStateException("cannot apply");
                }
                applied.add(previous + "->" + next);
                return "changed";
            },
            registry);

    private long counter(final String name) {
        return registry.counter("dev.certguard.test-extension.config.reload." + name)
                .getCount();
    }

    @Test
    void a_valid_file_is_applied_and_counted() {
        assertThat(reload.reload()).isTrue();

        assertThat(reload.current()).isEqualTo("v2");
        assertThat(applied).containsExactly("v1->v2");
        assertThat(counter("successes")).isEqualTo(1);
    }

    @Test
    void an_invalid_file_or_one_that_fails_to_apply_keeps_the_last_good_configuration() {
        file.set(new InvalidConfigException(List.of("conf/config.xml: <x> is wrong", "conf/config.xml: <y> too")));
        assertThat(reload.reload()).isFalse();
        file.set(new IllegalStateException());
        assertThat(reload.reload()).isFalse();

        assertThat(reload.current()).isEqualTo("v1");
        assertThat(applied).isEmpty();
        assertThat(counter("failures")).isEqualTo(2);
        assertThat(counter("successes")).isZero();

        file.set("v3");
        reload.reload();
        assertThat(applied)
                .as("the next good file is compared with the last good one")
                .containsExactly("v1->v3");
    }
}
