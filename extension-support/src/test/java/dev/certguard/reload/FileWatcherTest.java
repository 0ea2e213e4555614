package dev.certguard.reload;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileWatcherTest {

    @TempDir
    Path dir;

    private final AtomicInteger changes = new AtomicInteger();
    private final FileWatcher watcher = new FileWatcher("test", Duration.ofSeconds(1), Duration.ofMillis(10));

    @Test
    void in_place_edits_renames_and_deletion_are_reported_once_each_and_a_touch_is_not() throws Exception {
        final Path file = dir.resolve("config.xml");
        Files.writeString(file, "<a/>");
        watcher.watch(file, changes::incrementAndGet);

        watcher.checkNow(false);
        assertThat(changes)
                .as("the content when watching starts is the baseline")
                .hasValue(0);

        Files.writeString(file, "<b/>");
        watcher.checkNow(false);
        assertThat(changes).hasValue(1);

        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        watcher.checkNow(false);
        assertThat(changes).as("same content, new time: nothing to reload").hasValue(1);

        final Path next = dir.resolve("config.xml.new");
        Files.writeString(next, "<c/>");
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        watcher.checkNow(false);
        assertThat(changes).hasValue(2);

        Files.delete(file);
        watcher.checkNow(false);
        assertThat(changes).hasValue(3);
        watcher.checkNow(true);
        assertThat(changes).hasValue(3);
    }

    @Test
    void a_replacement_that_keeps_size_and_time_is_found_by_the_periodic_content_check() throws Exception {
        final Path file = dir.resolve("deny-list.txt");
        Files.writeString(file, "aaaa");
        final FileTime time = Files.getLastModifiedTime(file);
        watcher.watch(file, changes::incrementAndGet);

        Files.writeString(file, "bbbb");
        Files.setLastModifiedTime(file, time);
        watcher.checkNow(false);
        final int byStamp = changes.get();
        watcher.checkNow(true);

        assertThat(changes).hasValue(1);
        assertThat(byStamp).isLessThanOrEqualTo(1);
    }

    @Test
    void the_watcher_thread_reports_an_edit_within_seconds() throws Exception {
        final Path file = dir.resolve("config.xml");
        Files.writeString(file, "<a/>");
        watcher.watch(file, changes::incrementAndGet);
        watcher.start(runnable -> new Thread(runnable, "test-watch"));
        try {
            Files.writeString(file, "<changed/>");
            final long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (changes.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(changes).hasValue(1);
        } finally {
            watcher.stop();
        }
    }
}
