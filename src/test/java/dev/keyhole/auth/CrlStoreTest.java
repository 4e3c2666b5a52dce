package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.auth.CrlStore.Scope;
import dev.keyhole.auth.CrlStore.Status;
import dev.keyhole.testing.TestPki;
import dev.keyhole.testing.TestPki.Authority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrlStoreTest {

    private static final Authority CA = TestPki.root("Keyhole Test CA");
    private static final X509Certificate ALICE = CA.client("alice").build();
    private static final X509Certificate BOB = CA.client("bob").build();

    @TempDir
    Path dir;

    private Path write(String name, X509CRL crl) throws IOException {
        Path file = dir.resolve(name);
        Path tmp = dir.resolve(name + ".new");
        Files.writeString(tmp, TestPki.pem(crl));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private static Status check(CrlStore store, X509Certificate certificate) {
        return store.check(List.of(certificate), CA.certificate());
    }

    @Test
    void a_certificate_not_on_a_current_crl_is_good() throws IOException {
        CrlStore store = new CrlStore(List.of(write("crl.pem", CA.crl(BOB))), Scope.CHAIN, Clock.systemUTC());

        assertEquals(Status.GOOD, check(store, ALICE));
    }

    @Test
    void a_certificate_on_the_crl_is_revoked() throws IOException {
        CrlStore store = new CrlStore(List.of(write("crl.pem", CA.crl(BOB))), Scope.CHAIN, Clock.systemUTC());

        assertEquals(Status.REVOKED, check(store, BOB));
    }

    @Test
    void without_a_crl_from_the_issuer_the_status_is_unavailable() throws IOException {
        Authority other = TestPki.root("Other CA");
        CrlStore store = new CrlStore(List.of(write("crl.pem", other.crl())), Scope.CHAIN, Clock.systemUTC());

        assertEquals(Status.UNAVAILABLE, check(store, ALICE));
    }

    @Test
    void a_crl_past_its_next_update_makes_the_status_unavailable() throws IOException {
        Instant now = Instant.now();
        X509CRL stale = CA.crl(now.minus(Duration.ofDays(31)), now.minus(Duration.ofDays(1)));
        CrlStore store = new CrlStore(List.of(write("crl.pem", stale)), Scope.CHAIN, Clock.systemUTC());

        assertEquals(Status.UNAVAILABLE, check(store, ALICE));
    }

    @Test
    void a_certificate_listed_on_a_crl_past_its_next_update_is_still_revoked() throws IOException {
        Instant now = Instant.now();
        X509CRL stale = CA.crl(now.minus(Duration.ofDays(31)), now.minus(Duration.ofDays(1)), BOB);
        CrlStore store = new CrlStore(List.of(write("crl.pem", stale)), Scope.CHAIN, Clock.systemUTC());

        assertEquals(Status.REVOKED, check(store, BOB));
        assertEquals(Status.UNAVAILABLE, check(store, ALICE));
    }

    @Test
    void a_forged_stale_crl_revokes_nothing() throws IOException {
        CrlStore store = new CrlStore(List.of(write("crl.pem", CA.forgedCrl(ALICE))), Scope.CHAIN, Clock.systemUTC());

        assertEquals(Status.UNAVAILABLE, check(store, ALICE));
    }

    @Test
    void a_crl_becomes_unavailable_once_its_next_update_passes() throws IOException {
        Instant now = Instant.now();
        Path file = write("crl.pem", CA.crl(now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1))));
        CrlStore store = new CrlStore(List.of(file), Scope.CHAIN, Clock.offset(Clock.systemUTC(), Duration.ofHours(2)));

        assertEquals(Status.UNAVAILABLE, check(store, ALICE));
    }

    @Test
    void a_crl_not_signed_by_the_issuer_does_not_count() throws IOException {
        CrlStore store = new CrlStore(List.of(write("crl.pem", CA.forgedCrl())), Scope.CHAIN, Clock.systemUTC());

        assertEquals(Status.UNAVAILABLE, check(store, ALICE));
    }

    @Test
    void a_replaced_crl_file_is_read_again_and_revokes_without_a_restart() throws IOException {
        Path file = write("crl.pem", CA.crl());
        CrlStore store = new CrlStore(List.of(file), Scope.CHAIN, Clock.systemUTC());
        assertEquals(Status.GOOD, check(store, ALICE));
        assertFalse(store.reload(), "nothing changed yet");

        write("crl.pem", CA.crl(ALICE));

        assertTrue(store.reload());
        assertEquals(Status.REVOKED, check(store, ALICE));
    }

    @Test
    void an_unreadable_crl_file_makes_the_status_unavailable() throws IOException {
        Path file = dir.resolve("crl.pem");
        Files.writeString(file, "not a CRL");

        CrlStore store = new CrlStore(List.of(file), Scope.CHAIN, Clock.systemUTC());

        assertEquals(Status.UNAVAILABLE, check(store, ALICE));
    }

    @Test
    void a_crl_file_that_disappears_makes_the_status_unavailable() throws IOException {
        Path file = write("crl.pem", CA.crl());
        CrlStore store = new CrlStore(List.of(file), Scope.CHAIN, Clock.systemUTC());

        Files.delete(file);

        assertTrue(store.reload());
        assertEquals(Status.UNAVAILABLE, check(store, ALICE));
    }

    @Test
    void a_missing_file_that_appears_later_is_picked_up() throws IOException {
        Path file = dir.resolve("crl.pem");
        CrlStore store = new CrlStore(List.of(file), Scope.CHAIN, Clock.systemUTC());
        assertEquals(Status.UNAVAILABLE, check(store, ALICE));

        write("crl.pem", CA.crl());

        assertTrue(store.reload());
        assertEquals(Status.GOOD, check(store, ALICE));
    }

    @Test
    void der_crl_files_are_read_too() throws Exception {
        Path file = dir.resolve("crl.der");
        Files.write(file, CA.crl(BOB).getEncoded());

        CrlStore store = new CrlStore(List.of(file), Scope.CHAIN, Clock.systemUTC());

        assertEquals(Status.REVOKED, check(store, BOB));
    }

    @Test
    void chain_checking_covers_a_revoked_intermediate_and_leaf_checking_does_not() throws IOException {
        Authority issuing = CA.intermediate("Issuing CA");
        X509Certificate carol = issuing.client("carol").build();
        List<Path> files = List.of(write("root.pem", CA.crl(issuing.certificate())), write("issuing.pem", issuing.crl()));
        List<X509Certificate> path = List.of(carol, issuing.certificate());

        assertEquals(Status.REVOKED, new CrlStore(files, Scope.CHAIN, Clock.systemUTC()).check(path, CA.certificate()));
        assertEquals(Status.GOOD, new CrlStore(files, Scope.LEAF, Clock.systemUTC()).check(path, CA.certificate()));
    }

    @Test
    void chain_checking_needs_a_crl_from_every_issuer_in_the_path() throws IOException {
        Authority issuing = CA.intermediate("Issuing CA");
        X509Certificate carol = issuing.client("carol").build();
        CrlStore onlyIssuing = new CrlStore(List.of(write("issuing.pem", issuing.crl())), Scope.CHAIN, Clock.systemUTC());

        assertEquals(Status.UNAVAILABLE, onlyIssuing.check(List.of(carol, issuing.certificate()), CA.certificate()));
    }

    @Test
    void the_generation_changes_when_and_only_when_the_crls_change() throws IOException {
        Path file = write("crl.pem", CA.crl());
        CrlStore store = new CrlStore(List.of(file), Scope.CHAIN, Clock.systemUTC());
        long first = store.generation();

        store.reload();
        assertEquals(first, store.generation(), "nothing changed");

        write("crl.pem", CA.crl(ALICE));
        store.reload();
        assertEquals(first + 1, store.generation());
    }
}
