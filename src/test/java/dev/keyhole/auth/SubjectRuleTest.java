package dev.keyhole.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyhole.testing.TestPki;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubjectRuleTest {

    private static final ClientIdentity ALICE = ClientIdentity.of(TestPki.root("CA").client("alice")
            .subject("CN=Alice Example,OU=Ops,O=Example").email("Alice@Example.com").dns("alice.example.com").build(), Set.of());

    @Test
    void a_dn_rule_matches_the_same_name_however_it_is_spaced() {
        assertTrue(SubjectRule.parse("dn:CN=Alice Example, OU=Ops, O=Example").admits(ALICE));
        assertFalse(SubjectRule.parse("dn:CN=Alice Example,O=Example").admits(ALICE));
    }

    @Test
    void a_cn_rule_must_match_the_whole_common_name() {
        assertTrue(SubjectRule.parse("cn:Alice .*").admits(ALICE));
        assertFalse(SubjectRule.parse("cn:Alice").admits(ALICE));
    }

    @Test
    void an_email_rule_is_a_glob_without_regard_to_case() {
        assertTrue(SubjectRule.parse("san:email:*@example.com").admits(ALICE));
        assertFalse(SubjectRule.parse("san:email:*@example.org").admits(ALICE));
    }

    @Test
    void a_dns_rule_matches_dns_names_only() {
        assertTrue(SubjectRule.parse("san:dns:*.example.com").admits(ALICE));
        assertFalse(SubjectRule.parse("san:uri:*example.com*").admits(ALICE));
    }

    @Test
    void a_glob_treats_regex_characters_literally() {
        assertFalse(SubjectRule.parse("san:dns:alice.example.co.").admits(ALICE));
    }

    @Test
    void the_star_rule_admits_anyone() {
        assertTrue(SubjectRule.parse("*").admits(ALICE));
    }

    @Test
    void rules_that_cannot_be_read_are_refused_with_the_rule_in_the_message() {
        assertThrows(IllegalArgumentException.class, () -> SubjectRule.parse("alice"));
        assertThrows(IllegalArgumentException.class, () -> SubjectRule.parse("cn:[unclosed"));
        assertThrows(IllegalArgumentException.class, () -> SubjectRule.parse("dn:not a dn"));
        assertThrows(IllegalArgumentException.class, () -> SubjectRule.parse("san:phone:123"));
        assertThrows(IllegalArgumentException.class, () -> SubjectRule.parse("san:ip:not-an-address"));
    }

    @Test
    void a_dn_rule_with_an_issuer_admits_that_subject_from_that_issuer_only() {
        TestPki.Authority other = TestPki.root("Other CA");
        ClientIdentity fromOther = ClientIdentity.of(other.client("Alice Example").build(), Set.of());
        ClientIdentity fromTest = ClientIdentity.of(TestPki.root("Keyhole Test CA").client("Alice Example").build(),
                Set.of());
        String subject = fromOther.subject();

        assertTrue(SubjectRule.parse("dn:" + subject).admits(fromOther));
        assertTrue(SubjectRule.parse("dn:" + subject).admits(fromTest), "without an issuer: any configured CA");
        assertTrue(SubjectRule.parse("dn:" + subject + "|" + fromOther.issuer()).admits(fromOther));
        assertFalse(SubjectRule.parse("dn:" + subject + "|" + fromOther.issuer()).admits(fromTest));
        assertTrue(SubjectRule.parse("dn:CN=a|b").admits(ClientIdentity.of(other.client("x").subject("CN=a|b").build(), Set.of())),
                "a | inside a subject value, with no DN after it, is part of the subject");
    }
}
