package dev.certguard.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * A HiveMQ-style home directory: {@code conf/config.xml}, {@code extensions/<id>/}, {@code data/}.
 * Immutable; thread-safe.
 */
public record BrokerHome(Path dir) {

    /** The extensions certguard requires, in the order they are reported. */
    public static final List<String> REQUIRED_EXTENSIONS =
            List.of("crl-extension", "acl-extension", "disconnect-extension");

    public Path conf() {
        return dir.resolve("conf");
    }

    public Path configFile() {
        return conf().resolve("config.xml");
    }

    public Path extensions() {
        return dir.resolve("extensions");
    }

    public Path extension(final String id) {
        return extensions().resolve(id);
    }

    public Path data() {
        return dir.resolve("data");
    }

    /** HiveMQ's log folder ({@code ${hivemq.log.folder}} in logback.xml): the audit log goes here. */
    public Path log() {
        return dir.resolve("log");
    }

    /**
     * The packaged home template: {@code -Dcertguard.home.template}, else {@code secure-broker-home/}
     * beside the launcher jar.
     */
    public static BrokerHome template() {
        final String property = System.getProperty("certguard.home.template");
        if (property != null) {
            return new BrokerHome(Path.of(property));
        }
        try {
            final Path jar = Path.of(BrokerHome.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return new BrokerHome(jar.getParent().resolve("secure-broker-home"));
        } catch (final java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate the launcher jar", e);
        }
    }

    /**
     * Replaces {@code extensions/<id>} with a fresh copy of the template's, so that a {@code DISABLED}
     * marker HiveMQ left in an earlier run never carries over.
     */
    public void installExtensionsFrom(final BrokerHome template) throws IOException {
        for (final String id : REQUIRED_EXTENSIONS) {
            final Path source = template.extension(id);
            if (!Files.isDirectory(source)) {
                throw new IOException(
                        "the packaged extension " + source + " is missing; build with 'mvn -B package' first");
            }
            final Path target = extension(id);
            deleteRecursively(target);
            copyRecursively(source, target);
        }
    }

    public static void copyRecursively(final Path source, final Path target) throws IOException {
        try (var paths = Files.walk(source)) {
            paths.forEach(path -> {
                try {
                    final Path destination =
                            target.resolve(source.relativize(path).toString());
                    if (Files.isDirectory(path)) {
                        Files.createDirectories(destination);
                    } else {
                        Files.copy(path, destination, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (final IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (final UncheckedIOException e) {
            throw e.getCause();
        }
    }

    public static void deleteRecursively(final Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path directory, final IOException exc) throws IOException {
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
