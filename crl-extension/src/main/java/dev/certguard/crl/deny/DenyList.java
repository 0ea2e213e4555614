package dev.certguard.crl.deny;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.config.InvalidConfigException;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.identity.IdentityCharacters;
import dev.certguard.identity.InvalidIdentityException;
import dev.certguard.text.UntrustedText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The operator's deny list: certificates denied by SHA-256 fingerprint ({@code sha256:<hex>}, ':'
 * optional, any case) and identities denied with every certificate they hold
 * ({@code identity:<tenant:device_id or service>}), one entry per line, {@code #} comments and
 * blank lines ignored. A file with any line that does not parse is refused as a whole. Checking a
 * certificate costs nothing while the list is empty, a SHA-256 only when fingerprints are listed
 * and a CN parse only when identities are. Immutable; thread-safe.
 */
public final class DenyList {

    public static final DenyList EMPTY = new DenyList(Set.of(), Set.of());
    private static final String FINGERPRINT = "sha256:";
    private static final String IDENTITY = "identity:";

    private final @NotNull Set<String> fingerprints;
    private final @NotNull Set<String> identities;

    private DenyList(final @NotNull Set<String> fingerprints, final @NotNull Set<String> identities) {
        this.fingerprints = Set.copyOf(fingerprints);
        this.identities = Set.copyOf(identities);
    }

    /** Reads the file; {@code name} is how problems name it. */
    public static @NotNull DenyList read(final @NotNull Path file, final @NotNull String name)
            throws InvalidConfigException {
        final List<String> lines;
        try {
            final String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
            lines = List.of(text.split("\r?\n", -1));
        } catch (final NoSuchFileException e) {
            throw new InvalidConfigException(List.of(name + ": does not exist (" + file + ")"));
        } catch (final CharacterCodingException e) {
            throw new InvalidConfigException(List.of(name + ": is not UTF-8 text"));
        } catch (final IOException e) {
            throw new InvalidConfigException(List.of(name + ": cannot be read: " + e));
        }
        return parse(lines, name);
    }

    /** Parses the lines of a deny list, reporting every line that does not parse with its number. */
    public static @NotNull DenyList parse(final @NotNull List<String> lines, final @NotNull String name)
            throws InvalidConfigException {
        final Set<String> fingerprints = new HashSet<>();
        final Set<String> identities = new HashSet<>();
        final List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            final String line = strip(lines.get(i));
            if (line.isEmpty()) {
                continue;
            }
            final String where = name + ": line " + (i + 1) + ": ";
            if (line.regionMatches(true, 0, FINGERPRINT, 0, FINGERPRINT.length())) {
                try {
                    fingerprints.add(CertificateIdentity.normaliseFingerprint(line.substring(FINGERPRINT.length())));
                } catch (final IllegalArgumentException e) {
                    problems.add(where + "fingerprint " + e.getMessage());
                }
            } else if (line.startsWith(IDENTITY)) {
                final String identity = line.substring(IDENTITY.length()).trim();
                final String problem = identityProblem(identity);
                if (problem == null) {
                    identities.add(identity);
                } else {
                    problems.add(where + "identity '" + UntrustedText.escape(identity) + "' " + problem);
                }
            } else {
                problems.add(where + "'" + UntrustedText.escape(line)
                        + "' is neither sha256:<fingerprint> nor identity:<identity>");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new DenyList(fingerprints, identities);
    }

    private static String strip(final String line) {
        final int comment = line.indexOf('#');
        return (comment < 0 ? line : line.substring(0, comment)).trim();
    }

    private static @Nullable String identityProblem(final String identity) {
        if (identity.isEmpty()) {
            return "is empty";
        }
        try {
            IdentityCharacters.checkLength(identity);
            final int colon = identity.indexOf(':');
            if (colon < 0) {
                IdentityCharacters.checkPart("service identity", identity);
            } else {
                IdentityCharacters.checkPart("tenant", identity.substring(0, colon));
                IdentityCharacters.checkPart("device id", identity.substring(colon + 1));
            }
            return null;
        } catch (final InvalidIdentityException e) {
            return "is not an identity: " + e.reason();
        }
    }

    /** Entries on the list. */
    public int size() {
        return fingerprints.size() + identities.size();
    }

    public boolean isEmpty() {
        return fingerprints.isEmpty() && identities.isEmpty();
    }

    /** The entry that denies {@code certificate}, or {@code null} when none does. */
    public @Nullable String denies(final @NotNull X509Certificate certificate) {
        return denies(() -> CertificateIdentity.sha256Fingerprint(certificate), () -> {
            try {
                return CertificateIdentity.commonName(certificate);
            } catch (final InvalidIdentityException e) {
                return null;
            }
        });
    }

    /**
     * The entry that denies a certificate with this fingerprint and identity ({@code null} when its CN
     * is not a valid identity), or {@code null} when none does. Each is asked for only when entries
     * of its kind exist, so a caller may compute them lazily (and keep them).
     */
    public @Nullable String denies(
            final @NotNull Supplier<String> fingerprint, final @NotNull Supplier<String> identity) {
        if (!fingerprints.isEmpty()) {
            final String value = fingerprint.get();
            if (fingerprints.contains(value)) {
                return FINGERPRINT + value;
            }
        }
        if (!identities.isEmpty()) {
            final String value = identity.get();
            if (value != null && identities.contains(value)) {
                return IDENTITY + value;
            }
        }
        return null;
    }
}
