package dev.certguard.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An extension's configuration file: its name, as problems cite it, and its root
 * {@link ConfigElement} block, which places every element. Each definition has exactly one place, so
 * its path (e.g. {@code services/service/identity}, as problems and the documentation name it) is
 * known from the definition alone.
 * <p>
 * Immutable; thread-safe.
 */
public final class ConfigSchema {

    private final @NotNull String fileName;
    private final @NotNull ConfigElement root;
    private final @NotNull List<ConfigElement> elements;
    private final @NotNull Map<ConfigElement, String> paths;
    /** The tag of the DOM element each definition's element sits in. */
    private final @NotNull Map<ConfigElement, String> parentTags;

    /**
     * @param fileName how problems name the file, e.g. {@code acl-extension/conf/config.xml}
     * @param root the root block; its name is the file's root element
     */
    public ConfigSchema(final @NotNull String fileName, final @NotNull ConfigElement root) {
        if (root.kind() != ConfigElement.Kind.BLOCK) {
            throw new IllegalArgumentException("the root must be a block: " + root);
        }
        this.fileName = fileName;
        this.root = root;
        final List<ConfigElement> all = new ArrayList<>();
        final Map<ConfigElement, String> pathOf = new IdentityHashMap<>();
        final Map<ConfigElement, String> parentOf = new IdentityHashMap<>();
        place(root.children(), "", root.name(), all, pathOf, parentOf);
        this.elements = List.copyOf(all);
        this.paths = Collections.unmodifiableMap(pathOf);
        this.parentTags = Collections.unmodifiableMap(parentOf);
    }

    private static void place(
            final List<ConfigElement> children,
            final String path,
            final String parentTag,
            final List<ConfigElement> all,
            final Map<ConfigElement, String> pathOf,
            final Map<ConfigElement, String> parentOf) {
        final Set<String> names = new HashSet<>();
        for (final ConfigElement child : children) {
            if (pathOf.containsKey(child)) {
                throw new IllegalArgumentException(child + " is placed twice");
            }
            if (!names.add(child.name())) {
                throw new IllegalArgumentException(
                        "two elements named <" + child.name() + "> under <" + parentTag + ">");
            }
            final String childPath = path.isEmpty() ? child.name() : path + "/" + child.name();
            all.add(child);
            pathOf.put(child, childPath);
            parentOf.put(child, parentTag);
            if (child.kind() == ConfigElement.Kind.BLOCK) {
                place(child.children(), childPath, child.name(), all, pathOf, parentOf);
            } else if (child.kind() == ConfigElement.Kind.ITEMS) {
                place(child.children(), childPath + "/" + child.itemName(), child.itemName(), all, pathOf, parentOf);
            }
        }
    }

    public @NotNull String fileName() {
        return fileName;
    }

    public @NotNull ConfigElement root() {
        return root;
    }

    /** Every element below the root, depth first, in declaration order. */
    public @NotNull List<ConfigElement> elements() {
        return elements;
    }

    /** The element's path below the root, e.g. {@code ocsp/timeout-seconds}. */
    public @NotNull String path(final @NotNull ConfigElement element) {
        final String path = paths.get(element);
        if (path == null) {
            throw new IllegalArgumentException(element + " is not part of " + fileName);
        }
        return path;
    }

    /** The path of a list's items, e.g. {@code crl-sources/crl-source}; the path itself for others. */
    public @NotNull String itemPath(final @NotNull ConfigElement element) {
        final String itemName = element.itemName();
        return itemName == null ? path(element) : path(element) + "/" + itemName;
    }

    /** The tag of the element a definition's element sits in (the root's, a block's or an item's). */
    @NotNull String parentTag(final @NotNull ConfigElement element) {
        path(element);
        return parentTags.get(element);
    }

    /** The definition at {@code path}, or {@code null}. */
    public @Nullable ConfigElement find(final @NotNull String path) {
        for (final ConfigElement element : elements) {
            if (paths.get(element).equals(path)) {
                return element;
            }
        }
        return null;
    }
}
