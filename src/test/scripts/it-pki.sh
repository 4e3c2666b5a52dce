#!/usr/bin/env bash
# Creates the PKI for one integration-test run with the shipped tooling (server-config/pki/pki.sh), so that
# the tests exercise what operators use. Everything is generated fresh; nothing is committed.
set -euo pipefail
dir=${1:?usage: it-pki.sh DIR}
pki=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../server-config/pki" && pwd)/pki.sh

rm -rf "$dir"
mkdir -p "$dir"

# The CA Keyhole trusts, its server certificate and its users.
"$pki" -d "$dir/keyhole" init --cn "Keyhole IT CA" --org "Keyhole IT"
"$pki" -d "$dir/keyhole" server localhost --dns localhost --ip 127.0.0.1 --ip ::1
"$pki" -d "$dir/keyhole" client alice --cn alice   # admitted to chat, role operator
"$pki" -d "$dir/keyhole" client bob --cn bob       # admitted to chat
"$pki" -d "$dir/keyhole" client carol --cn carol   # admitted to chat
"$pki" -d "$dir/keyhole" client dave --cn dave     # valid, but not among chat's subjects
"$pki" -d "$dir/keyhole" client alice-elsewhere --cn alice --ou Elsewhere   # another identity with alice's CN
"$pki" -d "$dir/keyhole" client erin --cn erin --email erin@ops.keyhole.test   # admitted to chat by e-mail
"$pki" -d "$dir/keyhole" client rita --cn rita     # revoked before the servers start
"$pki" -d "$dir/keyhole" revoke rita
"$pki" -d "$dir/keyhole" client lena --cn lena     # opens connections up to the per-identity limit (PerimeterIT)
"$pki" -d "$dir/keyhole" client prometheus --cn prometheus   # role metrics (OperationsIT, PrometheusIT)
"$pki" -d "$dir/keyhole" client root --cn root     # role admin (the admin API and page)
# The Apache front's (and TrustedProxyIT's proxy's) own certificate: keyhole.auth.proxy.subjects in pom.xml.
"$pki" -d "$dir/keyhole" proxy apache
for target in payara-micro wildfly payara-server apache; do   # revoked while a session is open, one per target
  "$pki" -d "$dir/keyhole" client "victim-$target" --cn "victim-$target" 2>/dev/null
done
for i in $(seq -w 1 20); do                         # the members of ChatIT's busy room
  "$pki" -d "$dir/keyhole" client "user$i" --cn "user$i" 2>/dev/null
done

# A CA that Keyhole does not trust, with a client of its own.
"$pki" -d "$dir/other" init --cn "Other CA" --org "Other"
"$pki" -d "$dir/other" client mallory --cn mallory

# Keys and trust for the servers under test, as javax.net.ssl.* properties.
"$pki" -d "$dir/keyhole" jsse-properties localhost >"$dir/server-tls.properties"
# Payara Micro under Arquillian is not the uber-jar: it gets the same keys and trust, and the JVM properties the
# uber-jar ships (server-config/payara/system.properties) but its shutdown grace. Arquillian starts one Payara Micro
# per test class on the same ports and does not wait for the last one to stop.
{
  cat "$dir/server-tls.properties"
  grep -v '^fish\.payara\.shutdowngrace=' "$(dirname "$pki")/../payara/system.properties"
} >"$dir/arquillian-payara.properties"

# The same passwords as Maven properties, for the servers that take them from the environment (WildFly).
{
  printf 'keyhole.it.tls.keystore.password=%s\n' "$(head -n1 "$dir/keyhole/servers/localhost.p12.pass")"
  printf 'keyhole.it.tls.truststore.password=%s\n' "$(head -n1 "$dir/keyhole/truststore.p12.pass")"
} >"$dir/passwords.properties"
chmod 600 "$dir/passwords.properties"
