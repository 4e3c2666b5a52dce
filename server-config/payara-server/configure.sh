#!/usr/bin/env bash
# Creates (or re-creates) the Payara Server 6 domain for Keyhole, configures it like the Payara Micro uber-jar
# (server-config/payara/pre-boot-commands.asadmin + system.properties), deploys the WAR at "/" and leaves the
# domain STOPPED. Re-runnable: an existing domain of that name is stopped and deleted first.
#
#   PAYARA_HOME=/opt/payara6 KEYHOLE_PKI_DIR=/etc/keyhole/pki KEYHOLE_WAR=target/keyhole.war \
#     server-config/payara-server/configure.sh
#
# Settings (environment):
#   PAYARA_HOME                 unzipped distribution (fish.payara.distributions:payara)     (required)
#   KEYHOLE_DOMAIN              domain name                           (keyhole)
#   KEYHOLE_PORTBASE            create-domain --portbase              (23500: admin +48, HTTP +80, HTTPS +81)
#   KEYHOLE_BIND_ADDRESS        HTTP and HTTPS listener address       (127.0.0.1)
#   KEYHOLE_ADMIN_ADDRESS       admin listener, JMX and IIOP address  (127.0.0.1)
#   KEYHOLE_PKI_DIR             pki.sh folder: servers/NAME.p12, truststore.p12 (each with
#                               its .pass file), ca.crt, crl.pem      (required)
#   KEYHOLE_SERVER_NAME         server keystore servers/NAME.p12      (localhost)
#   KEYHOLE_TLS_KEY_ALIAS       key entry served by HTTPS             (keyhole)
#   KEYHOLE_AUTH_CRL_FILES      keyhole.auth.crl-files                ($KEYHOLE_PKI_DIR/crl.pem)
#   KEYHOLE_WAR                 the application                       (target/keyhole.war of this project)
#   KEYHOLE_SHUTDOWN_GRACE_MS   -Dfish.payara.shutdowngrace           (2000)
#   KEYHOLE_DEPLOY              deploy the WAR at "/"                 (true; false for a domain that Arquillian
#                               deploys into)
#   KEYHOLE_ADMIN_PASSWORD_FILE asadmin password file (AS_ADMIN_PASSWORD=…); generated (random, mode 600) when
#                               missing (default $PAYARA_HOME/keyhole-admin.pass); "none" creates the domain
#                               without an admin password (the admin listener is on loopback either way).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${PAYARA_HOME:?set PAYARA_HOME to the unzipped Payara Server distribution}"
: "${KEYHOLE_PKI_DIR:?set KEYHOLE_PKI_DIR to the PKI folder (server-config/pki/pki.sh)}"
domain=${KEYHOLE_DOMAIN:-keyhole}
portbase=${KEYHOLE_PORTBASE:-23500}
pki=$KEYHOLE_PKI_DIR
server_name=${KEYHOLE_SERVER_NAME:-localhost}
admin_pass=${KEYHOLE_ADMIN_PASSWORD_FILE:-$PAYARA_HOME/keyhole-admin.pass}

export KEYHOLE_BIND_ADDRESS=${KEYHOLE_BIND_ADDRESS:-127.0.0.1}
export KEYHOLE_ADMIN_ADDRESS=${KEYHOLE_ADMIN_ADDRESS:-127.0.0.1}
export KEYHOLE_KEYSTORE=$pki/servers/$server_name.p12
export KEYHOLE_TRUSTSTORE=$pki/truststore.p12
export KEYHOLE_CA_FILE=$pki/ca.crt
export KEYHOLE_CRL_FILES=${KEYHOLE_AUTH_CRL_FILES:-$pki/crl.pem}
export KEYHOLE_TLS_KEY_ALIAS=${KEYHOLE_TLS_KEY_ALIAS:-keyhole}
export KEYHOLE_HTTPS_PORT=$((portbase + 81))
export KEYHOLE_WAR=${KEYHOLE_WAR:-$here/../../target/keyhole.war}
export KEYHOLE_SHUTDOWN_GRACE_MS=${KEYHOLE_SHUTDOWN_GRACE_MS:-2000}
admin_port=$((portbase + 48))
vars=(KEYHOLE_BIND_ADDRESS KEYHOLE_ADMIN_ADDRESS KEYHOLE_KEYSTORE KEYHOLE_TRUSTSTORE KEYHOLE_CA_FILE
      KEYHOLE_CRL_FILES KEYHOLE_TLS_KEY_ALIAS KEYHOLE_HTTPS_PORT KEYHOLE_WAR KEYHOLE_SHUTDOWN_GRACE_MS)

# Copies a command file with ${NAME} replaced for the names above only (Payara's own ${...}, e.g. ${ALIAS=...},
# stay as they are). The values go in literally.
render() {
    local text name
    text=$(<"$1")
    for name in "${vars[@]}"; do
        text=${text//"\${$name}"/"${!name}"}
    done
    printf '%s\n' "$text" >"$2"
}

asadmin=$PAYARA_HOME/bin/asadmin
domain_dir=$PAYARA_HOME/glassfish/domains/$domain
needed=("$KEYHOLE_KEYSTORE" "$KEYHOLE_KEYSTORE.pass" "$KEYHOLE_TRUSTSTORE" "$KEYHOLE_TRUSTSTORE.pass" "$KEYHOLE_CA_FILE"
        "$here/preboot-bind.asadmin" "$here/configure.asadmin")
[[ ${KEYHOLE_DEPLOY:-true} != true ]] || needed+=("$KEYHOLE_WAR")
for f in "${needed[@]}"; do
    [[ -r $f ]] || { echo "configure.sh: cannot read $f" >&2; exit 1; }
done
log() { printf '%s configure.sh: %s\n' "$(date +%T)" "$*"; }

# Credentials for every remote asadmin command.
if [[ $admin_pass == none ]]; then
    auth=(--user admin)
    create_auth=(--user admin)
    create_options=(--nopassword=true)
else
    if [[ ! -s $admin_pass ]]; then
        (umask 077; printf 'AS_ADMIN_PASSWORD=%s\n' "$(openssl rand -hex 16)" > "$admin_pass")
        log "generated admin password in $admin_pass"
    fi
    auth=(--user admin --passwordfile "$admin_pass")
    create_auth=("${auth[@]}")
    create_options=()
fi
remote=("$asadmin" "${auth[@]}" --host 127.0.0.1 --port "$admin_port")

# 1. Start from a new domain (stop the old one if it runs).
if [[ -d $domain_dir ]]; then
    log "deleting the existing domain $domain"
    "$asadmin" "${auth[@]}" stop-domain "$domain" >/dev/null 2>&1 || "$asadmin" stop-domain --kill=true "$domain" >/dev/null 2>&1 || true
    "$asadmin" delete-domain "$domain" >/dev/null
fi
log "creating domain $domain (portbase $portbase: admin $admin_port, HTTP $((portbase + 80)), HTTPS $KEYHOLE_HTTPS_PORT)"
"$asadmin" "${create_auth[@]}" create-domain "${create_options[@]}" --portbase "$portbase" --checkports=false "$domain" >/dev/null

# 2. Offline, before the first start: the JMS service off. It is not in a fresh domain.xml (the JMS module adds it
#    at start-up, after the pre-boot commands) and its lazy proxy would bind 0.0.0.0 on portbase+76.
jms="<jms-service type=\"DISABLED\" default-jms-host=\"default_JMS_host\"><jms-host name=\"default_JMS_host\" host=\"127.0.0.1\" port=\"\${JMS_PROVIDER_PORT}\" lazy-init=\"true\"></jms-host></jms-service>"
grep -q '<config name="server-config">' "$domain_dir/config/domain.xml"
sed -i "s|<config name=\"server-config\">|&\n            $jms|" "$domain_dir/config/domain.xml"

# 3. Render the two command files (no secrets in them) into the domain.
render "$here/preboot-bind.asadmin" "$domain_dir/config/keyhole-preboot.asadmin"
render "$here/configure.asadmin" "$domain_dir/config/keyhole-configure.asadmin"
if [[ ${KEYHOLE_DEPLOY:-true} != true ]]; then
    sed -i '/^deploy /d' "$domain_dir/config/keyhole-configure.asadmin"
fi

# 4. First start: every listener on its final address before it binds; HTTPS still off.
log "first start (pre-boot: listener addresses, no data grid, HTTPS off)"
"$asadmin" start-domain --prebootcommandfile "$domain_dir/config/keyhole-preboot.asadmin" "$domain" >/dev/null
trap '"$asadmin" "${auth[@]}" stop-domain "$domain" >/dev/null 2>&1 || true' EXIT

# 5. Password aliases for the two PKCS12 passwords (one asadmin call each: AS_ADMIN_ALIASPASSWORD is per file).
tmp=$(mktemp -d); chmod 700 "$tmp"
for pair in keyhole-keystore-password:"$KEYHOLE_KEYSTORE.pass" keyhole-truststore-password:"$KEYHOLE_TRUSTSTORE.pass"; do
    alias=${pair%%:*}; file=${pair#*:}
    { [[ $admin_pass == none ]] || grep '^AS_ADMIN_PASSWORD=' "$admin_pass"
      printf 'AS_ADMIN_ALIASPASSWORD=%s\n' "$(head -n1 "$file" | tr -d '\r\n')"; } > "$tmp/p"
    "$asadmin" --user admin --passwordfile "$tmp/p" --host 127.0.0.1 --port "$admin_port" \
        create-password-alias "$alias" >/dev/null
done
rm -rf "$tmp"

# 6. Everything else, then deploy.
log "configuring (multimode --file $domain_dir/config/keyhole-configure.asadmin)"
out=$("${remote[@]}" multimode --file "$domain_dir/config/keyhole-configure.asadmin" 2>&1) || true
printf '%s\n' "$out" > "$domain_dir/logs/keyhole-configure.out"
if grep -Eqi 'failed|Invalid|not found|Remote server does not listen' <<<"$out"; then
    printf '%s\n' "$out" >&2
    log "FAILED (output kept in $domain_dir/logs/keyhole-configure.out)"
    exit 1
fi

# 7. Stop (JVM options and the listener keys take effect at the next start); check nothing is left on a wildcard.
trap - EXIT
"$asadmin" "${auth[@]}" stop-domain "$domain" >/dev/null
log "addresses in server-config: $(awk '/<config name="server-config">/,/<\/config>/' "$domain_dir/config/domain.xml" \
    | grep -o 'address="[^"]*"' | sort | uniq -c | tr -s ' \n' ' ')"
log "done: $asadmin start-domain $domain  ->  https://$KEYHOLE_BIND_ADDRESS:$KEYHOLE_HTTPS_PORT/ (admin on $KEYHOLE_ADMIN_ADDRESS:$admin_port)"
