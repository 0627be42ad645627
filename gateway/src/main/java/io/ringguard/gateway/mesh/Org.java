package io.ringguard.gateway.mesh;

import io.ringguard.gateway.Main;
import io.ringguard.membership.identity.NodeKey;
import io.ringguard.membership.org.OrgKeys;
import io.ringguard.membership.org.OrgMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ringguard org ...}: the org key's side of the mesh, run on an operator's machine. The org
 * private key stays in its file (mode 0600); the commands print only public keys and signed messages,
 * which {@code VouchFile} and {@code POST /v1/org/messages} take as they are.
 */
@Command(
        name = "org",
        mixinStandardHelpOptions = true,
        subcommands = {Org.Keygen.class, Org.Pubkey.class, Org.Vouch.class, Org.Revoke.class},
        description = {
            "Manage the mesh's org key and sign org messages (vouch, revoke).",
            "Exit codes: 0 done, 1 runtime failure, 2 bad usage (bad key or key file)."
        })
public final class Org implements Callable<Integer> {
    /** Sequence numbers of signed messages: wall-clock ms, so a later message outranks an earlier one. */
    static LongSupplier clock = System::currentTimeMillis;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.EXIT_USAGE;
    }

    /** {@code ringguard org keygen --org-key FILE}: creates the org key file, prints the public key. */
    @Command(
            name = "keygen",
            mixinStandardHelpOptions = true,
            description = {
                "Create a new org key in FILE (mode 0600; never overwritten) and print its public key,",
                "the OrgPublicKey of every gateway in the mesh."
            })
    static final class Keygen implements Callable<Integer> {
        @Option(names = "--org-key", required = true, paramLabel = "FILE", description = "Where to store the key.")
        Path orgKey;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            byte[] key = new byte[KeyFile.KEY_BYTES];
            new SecureRandom().nextBytes(key);
            try {
                KeyFile.create(orgKey, key);
                OrgKeys org = OrgKeys.fromPrivateKey(key);
                spec.commandLine().getOut().println(org.publicKey().toBase64());
                org.destroy();
                return Main.EXIT_OK;
            } catch (IOException e) {
                spec.commandLine().getErr().println("ringguard: org keygen: " + e.getMessage());
                return Main.EXIT_FAILURE;
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    /** {@code ringguard org pubkey --org-key FILE}. */
    @Command(name = "pubkey", mixinStandardHelpOptions = true, description = "Print the org key's public key.")
    static final class Pubkey implements Callable<Integer> {
        @Option(names = "--org-key", required = true, paramLabel = "FILE", description = "The org key file.")
        Path orgKey;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            OrgKeys org = load(orgKey, spec.commandLine().getErr());
            if (org == null) {
                return Main.EXIT_USAGE;
            }
            spec.commandLine().getOut().println(org.publicKey().toBase64());
            org.destroy();
            return Main.EXIT_OK;
        }
    }

    /** The shared shape of vouch and revoke: an org key file and a node key, one signed message out. */
    abstract static class Signing implements Callable<Integer> {
        @Option(names = "--org-key", required = true, paramLabel = "FILE", description = "The org key file.")
        Path orgKey;

        @Parameters(paramLabel = "NODE_KEY", description = "The node's public key (base64, 44 characters).")
        String nodeKey;

        @Spec
        CommandSpec spec;

        abstract OrgMessage sign(OrgKeys org, NodeKey node, long sequence);

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            NodeKey node;
            try {
                node = NodeKey.fromBase64(nodeKey);
            } catch (IllegalArgumentException e) {
                err.println("ringguard: NODE_KEY: not a base64 32-byte key: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
            OrgKeys org = load(orgKey, err);
            if (org == null) {
                return Main.EXIT_USAGE;
            }
            try {
                spec.commandLine()
                        .getOut()
                        .println(sign(org, node, clock.getAsLong()).toBase64());
            } finally {
                org.destroy();
            }
            return Main.EXIT_OK;
        }
    }

    /** {@code ringguard org vouch --org-key FILE NODE_KEY}. */
    @Command(
            name = "vouch",
            mixinStandardHelpOptions = true,
            description = {"Print a signed vouch that admits NODE_KEY to the mesh (its gateway's VouchFile)."})
    static final class Vouch extends Signing {
        @Override
        OrgMessage sign(OrgKeys org, NodeKey node, long sequence) {
            return OrgMessage.vouch(org, node, sequence);
        }
    }

    /** {@code ringguard org revoke --org-key FILE NODE_KEY}. */
    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = {
                "Print a signed revocation of NODE_KEY; POST it to any member's /v1/org/messages and",
                "every member removes the node for good."
            })
    static final class Revoke extends Signing {
        @Override
        OrgMessage sign(OrgKeys org, NodeKey node, long sequence) {
            return OrgMessage.revoke(org, node, sequence);
        }
    }

    /** The org key from {@code file}, or null after printing why (bad usage). */
    static OrgKeys load(Path file, PrintWriter err) {
        byte[] key = null;
        try {
            key = KeyFile.read(file);
            return OrgKeys.fromPrivateKey(key);
        } catch (IOException e) {
            err.println("ringguard: --org-key: " + (e.getMessage() == null ? file : e.getMessage()));
            return null;
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }
}
