#!/usr/bin/env bash
# Keyhole PKI: a small certificate authority for client-certificate (mutual TLS) deployments.
# Wraps the openssl commands of a classic Apache mTLS setup (CA, server and client certificates, .p12 for
# browsers, revocation, crl.pem) and adds the PKCS#12 keystore and truststore that Java servers read.
# See README.md in this folder.
set -euo pipefail
umask 077

readonly PROG=${0##*/}

usage() {
  cat <<EOF
Usage: $PROG [-d DIR] COMMAND [OPTIONS]

  -d DIR   the PKI folder (default: \$KEYHOLE_PKI_DIR, else ./pki)

Commands:
  init [--cn CN] [--org ORG] [--days N] [--key-type ec|rsa]
        Create the CA: ca.key, ca.crt, the CA database, an empty crl.pem and truststore.p12.
  server NAME [--dns HOST]... [--ip ADDR]... [--days N] [--alias ALIAS]
        Issue a server certificate (serverAuth) with DNS and IP subject alternative names and write the
        Java keystore servers/NAME.p12 (key entry ALIAS, default "keyhole", with the CA in its chain).
  client NAME [--cn CN] [--ou OU] [--email ADDR] [--days N] [--legacy-p12]
        Issue a client certificate (clientAuth) and export clients/NAME.p12, password protected, for
        browsers and tools. --legacy-p12 uses the older encryption that some importers still need.
  revoke NAME|FILE.crt [--reason REASON]
        Revoke an issued certificate and regenerate crl.pem (REASON: unspecified, keyCompromise,
        affiliationChanged, superseded, cessationOfOperation; default keyCompromise).
  crl [--days N]
        Regenerate crl.pem (valid N days, default 30). Run it before the current CRL's nextUpdate.
  truststore
        Rebuild truststore.p12 from ca.crt.
  jsse-properties NAME
        Print javax.net.ssl.* system properties for server NAME (keystore and truststore with passwords),
        for Payara Micro's --systemproperties or any JVM.
  list
        List every certificate the CA has issued, with its status.
  dev
        Create, or complete, a development PKI: CA "Keyhole Dev CA", server "localhost" (localhost,
        127.0.0.1, ::1) and client "dev-user". Regenerates crl.pem when it is missing or expires within
        7 days. Safe to run again.

Passwords for keystores and .p12 files are generated and stored next to them as FILE.pass (mode 600).
Set KEYHOLE_PKI_CA_PASSIN (openssl -passin syntax, e.g. env:VAR or file:PATH) to protect ca.key with a
passphrase: init encrypts the key with it and every signing command uses it.
EOF
}

die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
say() { printf '%s\n' "$*" >&2; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required but was not found on PATH"; }

keytool_cmd() {
  if command -v keytool >/dev/null 2>&1; then echo keytool
  elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/keytool" ]; then echo "$JAVA_HOME/bin/keytool"
  else die "keytool (from a JDK) is required: put it on PATH or set JAVA_HOME"
  fi
}

# --- validation -----------------------------------------------------------------------------------------

valid_name() { [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] || die "invalid name '$1' (letters, digits, . _ -; at most 64)"; }
valid_days() { [[ $1 =~ ^[1-9][0-9]{0,4}$ ]] || die "invalid number of days '$1'"; }
# A distinguished-name attribute: no characters that openssl's -subj syntax gives a meaning, no control chars.
valid_dn_value() {
  local what=$1 value=$2
  [ -n "$value" ] && [ ${#value} -le 64 ] || die "$what must be 1 to 64 characters"
  [[ $value =~ [/\\+=,\;\<\>\"[:cntrl:]] ]] && die "$what '$value' contains a character that is not allowed (/ \\ + = , ; < > \" or a control character)"
  return 0
}
valid_dns() { [[ $1 =~ ^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$ ]] || die "invalid DNS name '$1'"; }
valid_ip() { [[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ || $1 =~ ^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$ ]] || die "invalid IP address '$1'"; }
valid_email() { [[ $1 =~ ^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$ ]] || die "invalid e-mail address '$1'"; }

# --- the CA -----------------------------------------------------------------------------------------------

require_ca() { [ -f "$DIR/ca.crt" ] && [ -f "$DIR/ca/openssl.cnf" ] || die "no CA in $DIR: run '$PROG -d $DIR init' first"; }

# openssl ca with the CA's configuration; KEYHOLE_PKI_HOME and KEYHOLE_PKI_SAN are read by openssl.cnf.
ca_cmd() {
  local passin=()
  [ -n "${KEYHOLE_PKI_CA_PASSIN:-}" ] && passin=(-passin "$KEYHOLE_PKI_CA_PASSIN")
  KEYHOLE_PKI_HOME=$DIR KEYHOLE_PKI_SAN=${KEYHOLE_PKI_SAN:-email:none@invalid} \
    openssl ca -batch -config "$DIR/ca/openssl.cnf" "${passin[@]}" "$@"
}

new_key() { # new_key FILE TYPE
  case $2 in
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$1" 2>/dev/null ;;
    *) die "invalid key type '$2' (ec or rsa)" ;;
  esac
}

new_password() { # new_password FILE: a random password, written once
  [ -s "$1" ] || openssl rand -hex 16 >"$1"
}

key_type() { cat "$DIR/ca/key-type" 2>/dev/null || echo ec; }
ca_org() { cat "$DIR/ca/org" 2>/dev/null || echo Keyhole; }

write_openssl_cnf() {
  cat >"$DIR/ca/openssl.cnf" <<'EOF'
# Written by pki.sh: the CA database and the certificate profiles. Paths follow KEYHOLE_PKI_HOME.
[ req ]
distinguished_name = req_dn
utf8               = yes

[ req_dn ]

[ ca ]
default_ca = keyhole_ca

[ keyhole_ca ]
dir              = $ENV::KEYHOLE_PKI_HOME
database         = $dir/ca/index.txt
new_certs_dir    = $dir/ca/issued
certificate      = $dir/ca.crt
private_key      = $dir/ca.key
serial           = $dir/ca/serial
crlnumber        = $dir/ca/crlnumber
default_md       = sha256
default_days     = 365
default_crl_days = 30
policy           = policy_keyhole
unique_subject   = no
copy_extensions  = none
email_in_dn      = no
preserve         = yes
crl_extensions   = crl_ext

[ policy_keyhole ]
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied

[ ca_cert ]
basicConstraints       = critical, CA:TRUE, pathlen:0
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ server_cert ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = $ENV::KEYHOLE_PKI_SAN

[ client_cert ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid

[ client_cert_san ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = $ENV::KEYHOLE_PKI_SAN

[ crl_ext ]
authorityKeyIdentifier = keyid:always
EOF
}

cmd_init() {
  local cn="Keyhole CA" org=Keyhole days=3650 type=ec
  while [ $# -gt 0 ]; do
    case $1 in
      --cn) cn=${2:?--cn needs a value}; shift 2 ;;
      --org) org=${2:?--org needs a value}; shift 2 ;;
      --days) days=${2:?--days needs a value}; shift 2 ;;
      --key-type) type=${2:?--key-type needs a value}; shift 2 ;;
      *) die "init: unknown option '$1'" ;;
    esac
  done
  valid_dn_value "CA common name" "$cn"; valid_dn_value organization "$org"; valid_days "$days"
  [ -e "$DIR/ca.crt" ] && die "a CA already exists in $DIR (remove the folder to start over)"
  mkdir -p "$DIR/ca/issued" "$DIR/servers" "$DIR/clients"
  : >"$DIR/ca/index.txt"
  echo 1000 >"$DIR/ca/crlnumber"
  echo "$type" >"$DIR/ca/key-type"
  echo "$org" >"$DIR/ca/org"
  write_openssl_cnf
  new_key "$DIR/ca.key" "$type"
  if [ -n "${KEYHOLE_PKI_CA_PASSIN:-}" ]; then
    openssl pkey -in "$DIR/ca.key" -aes256 -passout "$KEYHOLE_PKI_CA_PASSIN" -out "$DIR/ca.key.enc"
    mv "$DIR/ca.key.enc" "$DIR/ca.key"
  fi
  local passin=()
  [ -n "${KEYHOLE_PKI_CA_PASSIN:-}" ] && passin=(-passin "$KEYHOLE_PKI_CA_PASSIN")
  KEYHOLE_PKI_HOME=$DIR KEYHOLE_PKI_SAN=email:none@invalid openssl req -new -x509 -utf8 \
    -config "$DIR/ca/openssl.cnf" -extensions ca_cert "${passin[@]}" \
    -key "$DIR/ca.key" -subj "/O=$org/CN=$cn" -days "$days" -sha256 -set_serial "0x$(openssl rand -hex 16)" \
    -out "$DIR/ca.crt"
  chmod 644 "$DIR/ca.crt"
  cmd_crl
  cmd_truststore
  say "CA created: $DIR/ca.crt (key: $DIR/ca.key; keep it private, offline in production)"
}

# --- issuing ----------------------------------------------------------------------------------------------

issue() { # issue PROFILE KEY SUBJECT DAYS OUT [SAN]
  local profile=$1 key=$2 subject=$3 days=$4 out=$5 san=${6:-}
  local csr
  csr=$(mktemp "$DIR/ca/request.XXXXXX")
  openssl req -new -utf8 -key "$key" -subj "$subject" -out "$csr"
  KEYHOLE_PKI_SAN=$san ca_cmd -extensions "$profile" -days "$days" -notext -rand_serial -utf8 \
    -in "$csr" -out "$out" 2>"$csr.log" || { cat "$csr.log" >&2; rm -f "$csr" "$csr.log"; die "openssl ca failed"; }
  rm -f "$csr" "$csr.log"
  chmod 644 "$out"
}

cmd_server() {
  local name=${1:-}; [ -n "$name" ] || die "server: NAME is required"; shift
  valid_name "$name"
  local days=397 alias=keyhole san="" dns=() ips=()
  while [ $# -gt 0 ]; do
    case $1 in
      --dns) valid_dns "${2:-}"; dns+=("$2"); shift 2 ;;
      --ip) valid_ip "${2:-}"; ips+=("$2"); shift 2 ;;
      --days) days=${2:?--days needs a value}; shift 2 ;;
      --alias) alias=${2:?--alias needs a value}; shift 2 ;;
      *) die "server: unknown option '$1'" ;;
    esac
  done
  valid_days "$days"; valid_name "$alias"
  [ ${#dns[@]} -gt 0 ] || [ ${#ips[@]} -gt 0 ] || die "server: give at least one --dns or --ip"
  require_ca
  local base="$DIR/servers/$name"
  [ -e "$base.crt" ] && die "server certificate '$name' exists already ($base.crt)"
  local d i
  for d in "${dns[@]+"${dns[@]}"}"; do san+="${san:+,}DNS:$d"; done
  for i in "${ips[@]+"${ips[@]}"}"; do san+="${san:+,}IP:$i"; done
  local cn=${dns[0]:-${ips[0]}}
  new_key "$base.key" "$(key_type)"
  issue server_cert "$base.key" "/O=$(ca_org)/CN=$cn" "$days" "$base.crt" "$san"
  cat "$base.crt" "$DIR/ca.crt" >"$base.chain.pem"
  chmod 644 "$base.chain.pem"
  new_password "$base.p12.pass"
  openssl pkcs12 -export -in "$base.crt" -inkey "$base.key" -certfile "$DIR/ca.crt" -name "$alias" \
    -out "$base.p12" -passout "file:$base.p12.pass"
  say "server certificate: $base.crt ($san)"
  say "server keystore:    $base.p12 (alias $alias, password in $base.p12.pass)"
}

cmd_client() {
  local name=${1:-}; [ -n "$name" ] || die "client: NAME is required"; shift
  valid_name "$name"
  local cn=$name ou="" email="" days=365 legacy=()
  while [ $# -gt 0 ]; do
    case $1 in
      --cn) cn=${2:?--cn needs a value}; shift 2 ;;
      --ou) ou=${2:?--ou needs a value}; shift 2 ;;
      --email) email=${2:?--email needs a value}; shift 2 ;;
      --days) days=${2:?--days needs a value}; shift 2 ;;
      --legacy-p12) legacy=(-legacy); shift ;;
      *) die "client: unknown option '$1'" ;;
    esac
  done
  valid_dn_value "common name" "$cn"; valid_days "$days"
  [ -n "$ou" ] && valid_dn_value "organizational unit" "$ou"
  [ -n "$email" ] && valid_email "$email"
  require_ca
  local base="$DIR/clients/$name"
  [ -e "$base.crt" ] && die "client certificate '$name' exists already ($base.crt)"
  local subject="/O=$(ca_org)${ou:+/OU=$ou}/CN=$cn"
  new_key "$base.key" "$(key_type)"
  if [ -n "$email" ]; then
    issue client_cert_san "$base.key" "$subject" "$days" "$base.crt" "email:$email"
  else
    issue client_cert "$base.key" "$subject" "$days" "$base.crt"
  fi
  new_password "$base.p12.pass"
  openssl pkcs12 -export "${legacy[@]+"${legacy[@]}"}" -in "$base.crt" -inkey "$base.key" -certfile "$DIR/ca.crt" \
    -name "$cn" -out "$base.p12" -passout "file:$base.p12.pass"
  say "client certificate: $base.crt (CN=$cn)"
  say "client .p12:        $base.p12 (password in $base.p12.pass)"
}

# --- revocation -------------------------------------------------------------------------------------------

cmd_revoke() {
  local target=${1:-}; [ -n "$target" ] || die "revoke: NAME or FILE.crt is required"; shift
  local reason=keyCompromise
  while [ $# -gt 0 ]; do
    case $1 in
      --reason) reason=${2:?--reason needs a value}; shift 2 ;;
      *) die "revoke: unknown option '$1'" ;;
    esac
  done
  case $reason in unspecified|keyCompromise|affiliationChanged|superseded|cessationOfOperation) ;;
    *) die "revoke: invalid reason '$reason'" ;; esac
  require_ca
  local crt
  if [[ $target == *.crt ]]; then crt=$target
  else
    valid_name "$target"
    if [ -f "$DIR/clients/$target.crt" ]; then crt="$DIR/clients/$target.crt"
    elif [ -f "$DIR/servers/$target.crt" ]; then crt="$DIR/servers/$target.crt"
    else die "revoke: no certificate named '$target' in $DIR/clients or $DIR/servers"; fi
  fi
  [ -f "$crt" ] || die "revoke: $crt does not exist"
  local serial
  serial=$(openssl x509 -in "$crt" -noout -serial | cut -d= -f2)
  if awk -F'\t' -v s="$serial" '$1 == "R" && toupper($4) == toupper(s) { found=1 } END { exit !found }' "$DIR/ca/index.txt"; then
    say "already revoked: serial $serial"
  else
    ca_cmd -revoke "$crt" -crl_reason "$reason" 2>/dev/null || die "revoke: openssl could not revoke $crt (not issued by this CA?)"
    say "revoked: $crt (serial $serial, reason $reason)"
  fi
  cmd_crl
}

cmd_crl() {
  local days=30
  while [ $# -gt 0 ]; do
    case $1 in
      --days) days=${2:?--days needs a value}; shift 2 ;;
      *) die "crl: unknown option '$1'" ;;
    esac
  done
  valid_days "$days"
  require_ca
  local tmp
  tmp=$(mktemp "$DIR/crl.XXXXXX")
  ca_cmd -gencrl -crldays "$days" -out "$tmp" 2>/dev/null || { rm -f "$tmp"; die "crl: openssl could not generate the CRL"; }
  chmod 644 "$tmp"
  # Replace in one step, so that a server that watches the file never reads half of it.
  mv -f "$tmp" "$DIR/crl.pem"
  say "CRL: $DIR/crl.pem (next update $(openssl crl -in "$DIR/crl.pem" -noout -nextupdate | cut -d= -f2))"
}

# --- Java stores and listing ------------------------------------------------------------------------------

cmd_truststore() {
  require_ca
  local kt tmp
  kt=$(keytool_cmd)
  new_password "$DIR/truststore.p12.pass"
  tmp="$DIR/truststore.p12.new"
  rm -f "$tmp"
  "$kt" -importcert -noprompt -alias keyhole-ca -file "$DIR/ca.crt" -keystore "$tmp" -storetype PKCS12 \
    -storepass:file "$DIR/truststore.p12.pass" >/dev/null 2>&1 || { rm -f "$tmp"; die "truststore: keytool failed"; }
  mv -f "$tmp" "$DIR/truststore.p12"
  say "truststore: $DIR/truststore.p12 (password in $DIR/truststore.p12.pass)"
}

cmd_jsse_properties() {
  local name=${1:-}; [ -n "$name" ] || die "jsse-properties: NAME is required"
  valid_name "$name"
  local base="$DIR/servers/$name"
  [ -f "$base.p12" ] || die "jsse-properties: no server keystore $base.p12"
  [ -f "$DIR/truststore.p12" ] || die "jsse-properties: no truststore in $DIR"
  printf 'javax.net.ssl.keyStore=%s\n' "$base.p12"
  printf 'javax.net.ssl.keyStorePassword=%s\n' "$(head -n1 "$base.p12.pass")"
  printf 'javax.net.ssl.trustStore=%s\n' "$DIR/truststore.p12"
  printf 'javax.net.ssl.trustStorePassword=%s\n' "$(head -n1 "$DIR/truststore.p12.pass")"
}

cmd_list() {
  require_ca
  printf '%-8s %-40s %-16s %s\n' STATUS SERIAL EXPIRES SUBJECT
  awk -F'\t' '{
      status = ($1 == "V") ? "valid" : ($1 == "R") ? "revoked" : "expired"
      printf "%-8s %-40s %-16s %s\n", status, $4, $2, $6
    }' "$DIR/ca/index.txt"
}

# True when crl.pem is missing or expires within the given number of seconds.
crl_expiring() {
  [ -f "$DIR/crl.pem" ] || return 0
  local next
  next=$(openssl crl -in "$DIR/crl.pem" -noout -nextupdate | cut -d= -f2)
  [ "$(date -d "$next" +%s)" -lt $(( $(date +%s) + $1 )) ]
}

cmd_dev() {
  [ -f "$DIR/ca.crt" ] || cmd_init --cn "Keyhole Dev CA" --org "Keyhole Dev" --days 3650
  [ -f "$DIR/servers/localhost.p12" ] || cmd_server localhost --dns localhost --ip 127.0.0.1 --ip ::1
  [ -f "$DIR/clients/dev-user.p12" ] || cmd_client dev-user --cn dev-user
  [ -f "$DIR/truststore.p12" ] || cmd_truststore
  if crl_expiring $(( 7 * 24 * 3600 )); then cmd_crl; fi
}

# --- main -------------------------------------------------------------------------------------------------

DIR=${KEYHOLE_PKI_DIR:-./pki}
while [ $# -gt 0 ]; do
  case $1 in
    -d) DIR=${2:?-d needs a folder}; shift 2 ;;
    -h|--help|help) usage; exit 0 ;;
    -*) die "unknown option '$1' (see $PROG --help)" ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { usage >&2; exit 2; }
need openssl
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

command=$1; shift
case $command in
  init) cmd_init "$@" ;;
  server) cmd_server "$@" ;;
  client) cmd_client "$@" ;;
  revoke) cmd_revoke "$@" ;;
  crl) cmd_crl "$@" ;;
  truststore) cmd_truststore ;;
  jsse-properties) cmd_jsse_properties "$@" ;;
  list) cmd_list ;;
  dev) cmd_dev ;;
  *) die "unknown command '$command' (see $PROG --help)" ;;
esac
