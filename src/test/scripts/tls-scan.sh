#!/usr/bin/env bash
# Scans one HTTPS endpoint with sslscan and testssl.sh and leaves their machine-readable results in OUT_DIR:
#   sslscan.xml   protocols, every accepted suite with its key exchange, the CA names the server asks clients for
#   testssl.json  protocols, suites, the certificate chain (sent, verifiable against CA_FILE only, hostname), HSTS
# It judges nothing: the TLS gate (dev.keyhole.testing.TlsGate, run by TlsGateIT) parses these files. The scanners'
# exit codes are recorded in scan.log, never used: both exit 0 for weak servers, testssl even varies between runs.
#
# Usage: tls-scan.sh HOST PORT CA_FILE OUT_DIR
#   HOST     the name in the server certificate: sent as SNI and Host, checked against the certificate; connected to
#            at 127.0.0.1 (tests bind to loopback; no DNS lookup)
#   CA_FILE  the CA (PEM) the chain must verify against -- and the only one
# Needs: sslscan 2.x and testssl.sh 3.0.x (Debian 12: apt-get install sslscan testssl.sh), openssl.
set -euo pipefail

[ $# -eq 4 ] || { sed -n '2,13p' "$0" >&2; exit 2; }
host=$1 port=$2 ca=$3 out=$4
command -v sslscan >/dev/null || { echo "tls-scan: sslscan is not installed (apt-get install sslscan)" >&2; exit 2; }
testssl=$(command -v testssl || command -v testssl.sh) \
  || { echo "tls-scan: testssl is not installed (apt-get install testssl.sh)" >&2; exit 2; }

mkdir -p "$out"
# testssl does not overwrite an existing JSON file (and an old one would then be judged): start clean.
rm -f "$out/sslscan.xml" "$out/testssl.json" "$out/scan.log"
bundles=$(mktemp -d)
trap 'rm -rf "$bundles"' EXIT
# testssl checks the chain against every bundle in CA_BUNDLES_PATH (by default the public stores). A folder with only
# our CA makes "cert_chain_of_trust: passed." mean "verifies against this CA".
cp "$ca" "$bundles/ca.pem"

# sslscan: the --no-* options skip what the gate does not read (enumerating groups alone takes seconds).
set +e
sslscan --no-colour --xml="$out/sslscan.xml" --show-client-cas --sni-name="$host" \
  --no-groups --no-heartbleed --no-compression --no-fallback --no-renegotiation \
  "127.0.0.1:$port" >>"$out/scan.log" 2>&1
echo "sslscan exit $?" >>"$out/scan.log"

# testssl: -p protocols (raw sockets), -e suites (--fast: through the local openssl, enough for a JSSE or OpenSSL
# server), -S chain and trust, -h headers of GET / (HSTS). -n none: no DNS; --ip: connect to loopback.
CA_BUNDLES_PATH=$bundles HSTS_MIN=365 "$testssl" --quiet --warnings off --color 0 --openssl "$(command -v openssl)" \
  -n none --ip 127.0.0.1 --fast -p -e -S -h --jsonfile-pretty "$out/testssl.json" "https://$host:$port/" \
  >>"$out/scan.log" 2>&1
echo "testssl exit $?" >>"$out/scan.log"
set -e

[ -s "$out/sslscan.xml" ] && [ -s "$out/testssl.json" ] \
  || { echo "tls-scan: a scanner wrote no result; see $out/scan.log" >&2; exit 1; }
