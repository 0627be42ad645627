package io.ringguard.gateway.mesh;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

/**
 * A 32-byte Ed25519 private key in a file of its own (the mesh node key, the org key): one line of
 * standard base64, mode 0600, like {@code wg genkey > key}. The key never becomes a {@code String};
 * every intermediate array is wiped. Stateless; any thread.
 */
public final class KeyFile {
    public static final int KEY_BYTES = 32;

    private static final Set<PosixFilePermission> SHARED = Set.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE);

    private KeyFile() {}

    /**
     * Reads the key; the caller wipes the returned array.
     *
     * @throws IOException when the file is missing, readable by others, or not one base64 key
     */
    public static byte[] read(Path file) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
        for (PosixFilePermission p : SHARED) {
            if (mode.contains(p)) {
                // A private key others can read is no longer private: refuse rather than use it.
                throw new IOException(file + " is accessible by group or others (mode "
                        + PosixFilePermissions.toString(mode) + "); chmod 600 it");
            }
        }
        byte[] raw = Files.readAllBytes(file);
        try {
            int start = 0;
            int end = raw.length;
            while (start < end && Character.isWhitespace(raw[start])) {
                start++;
            }
            while (end > start && Character.isWhitespace(raw[end - 1])) {
                end--;
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(Arrays.copyOfRange(raw, start, end));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " does not hold a base64 key", e);
            }
            if (key.length != KEY_BYTES) {
                Arrays.fill(key, (byte) 0);
                throw new IOException(file + " does not hold a 32-byte key");
            }
            return key;
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * Writes {@code key} to a new file with mode 0600 (through a temporary file in the same directory
     * and a rename, so a crash never leaves a half-written key), creating missing parent directories
     * with mode 0700.
     *
     * @throws FileAlreadyExistsException when {@code file} exists: a key is never overwritten
     */
    public static void create(Path file, byte[] key) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file + " exists; refusing to overwrite a key");
        }
        Path tmp = Files.createTempFile(
                dir,
                ".key-",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        byte[] text = Base64.getEncoder().encode(key);
        try {
            byte[] line = Arrays.copyOf(text, text.length + 1);
            line[text.length] = '\n';
            try {
                Files.write(tmp, line);
            } finally {
                Arrays.fill(line, (byte) 0);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Arrays.fill(text, (byte) 0);
            Files.deleteIfExists(tmp);
        }
    }
}
