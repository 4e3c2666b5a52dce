#!/usr/bin/env bash
# Runs Keyhole for development on Payara Micro, at https://localhost:8443 with TLS and client certificates.
# Builds the project when a source is newer than the build, creates a development PKI on the first run
# (in .keyhole/, which git ignores and `mvn clean` leaves alone), and runs the uber-jar in the foreground:
# Ctrl-C stops it.
#
# Environment (all optional; see docs/configuration.md for the application settings, e.g. KEYHOLE_AUTH_*):
#   KEYHOLE_HTTPS_PORT   HTTPS port (default 8443)
#   KEYHOLE_HTTP_PORT    HTTP port (default 8080)
#   KEYHOLE_BIND_ADDRESS address to listen on (default 127.0.0.1: reachable from this machine only)
#   KEYHOLE_DEV_DIR      where the dev PKI and runtime files live (default .keyhole in the project)
#   KEYHOLE_JAVA_OPTS    extra JVM options, e.g. -Xmx1g
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dev_dir=${KEYHOLE_DEV_DIR:-$root/.keyhole}
pki_dir=$dev_dir/pki
https_port=${KEYHOLE_HTTPS_PORT:-8443}
http_port=${KEYHOLE_HTTP_PORT:-8080}
export KEYHOLE_BIND_ADDRESS=${KEYHOLE_BIND_ADDRESS:-127.0.0.1}
export KEYHOLE_WEB_HTTPS_PORT=${KEYHOLE_WEB_HTTPS_PORT:-$https_port}
# Plain HTTP is redirected here (the dev certificate names localhost; the default would be the bind address).
export KEYHOLE_WEB_PUBLIC_ORIGIN=${KEYHOLE_WEB_PUBLIC_ORIGIN:-https://localhost:$https_port}
jar=$root/target/keyhole-micro.jar
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

fail() { printf 'run-dev: %s\n' "$*" >&2; exit 1; }
command -v "$java" >/dev/null 2>&1 || fail "java (JDK 17 or newer) is required: install it or set JAVA_HOME"
command -v openssl >/dev/null 2>&1 || fail "openssl is required for the dev PKI: install it (Debian: apt-get install openssl)"

# Build when there is no uber-jar yet, or when the POM, a source or the Payara config is newer than it.
if [ ! -f "$jar" ] || [ -n "$(find "$root/pom.xml" "$root/src/main" "$root/server-config/payara" -newer "$jar" -print -quit)" ]; then
  command -v mvn >/dev/null 2>&1 || fail "Maven 3.8 or newer is required to build Keyhole"
  echo "Building Keyhole (mvn package, tests skipped) ..."
  (cd "$root" && mvn -q -B -DskipTests package)
fi

# The dev PKI: created on the first run, completed if something is missing, CRL refreshed when it gets old.
"$root/server-config/pki/pki.sh" -d "$pki_dir" dev

# Keys and trust reach Payara Micro as javax.net.ssl.* properties in a file (mode 600; passwords stay out of `ps`).
mkdir -p "$dev_dir/run"
tls_properties=$dev_dir/run/tls.properties
"$root/server-config/pki/pki.sh" -d "$pki_dir" jsse-properties localhost -o "$tls_properties" 2>/dev/null

# Revocation: the dev PKI's CRL (pki.sh revoke … regenerates it; Keyhole re-reads it without a restart).
export KEYHOLE_AUTH_CRL_FILES=$pki_dir/crl.pem

cat <<EOF

Keyhole (development) on Payara Micro, listening on $KEYHOLE_BIND_ADDRESS
  Page:                https://localhost:$https_port/
  Chat:                wss://localhost:$https_port/chat/{room}
  Echo:                wss://localhost:$https_port/echo
  Who am I:            wss://localhost:$https_port/whoami
  Plain HTTP:          http://localhost:$http_port/ (redirects to HTTPS)
  Dev CA certificate:  $pki_dir/ca.crt
  Dev client (.p12):   $pki_dir/clients/dev-user.p12
  .p12 password:       $(head -n1 "$pki_dir/clients/dev-user.p12.pass")
  Import the .p12 into your browser (and trust the CA) to connect as "dev-user". Ctrl-C stops Keyhole.

EOF

# shellcheck disable=SC2086 # KEYHOLE_JAVA_OPTS is a list of options
exec "$java" ${KEYHOLE_JAVA_OPTS:-} -jar "$jar" \
  --port "$http_port" --sslport "$https_port" --systemproperties "$tls_properties"
