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
        browsers and tools. --legacy-p12 uses the legacy PKCS#12 algorithms (RC2/3DES, SHA-1) that some
        importers still need.
  proxy NAME [--cn CN] [--ou OU] [--days N]
        Issue the client certificate (clientAuth) a TLS-terminating proxy presents to Keyhole, subject
        /O=ORG/OU=OU/CN=CN (OU default "proxy", CN default NAME), and write proxies/NAME.pem (certificate
        and unencrypted key, for Apache's SSLProxyMachineCertificateFile, mode 600) and proxies/NAME.p12.
        Keyhole's keyhole.auth.proxy.subjects names it with its issuer, e.g.
        dn:CN=NAME,OU=proxy,O=ORG|CN=CA,O=ORG (printed). OU=proxy is reserved: 'client' refuses it.
  revoke NAME|FILE.crt [--reason REASON]
        Revoke a certificate this CA issued and regenerate crl.pem (REASON: unspecified, keyCompromise,
        affiliationChanged, superseded, cessationOfOperation; default keyCompromise).
  crl [--days N]
        Regenerate crl.pem (valid N days, default 30). Run it before the current CRL's nextUpdate.
  truststore
        Rebuild truststore.p12 from ca.crt.
  jsse-properties NAME [-o FILE]
        Print javax.net.ssl.* system properties for server NAME (keystore and truststore with passwords),
        for Payara Micro's --systemproperties or any JVM; -o writes them to FILE with mode 600.
  list
        List every certificate the CA has issued, with its status.
  dev
        Create, or complete, a development PKI: CA "Keyhole Dev CA", server "localhost" (localhost,
        127.0.0.1, ::1) and client "dev-user". Re-issues a certificate that is missing a file or expires
        within 30 days, and renews crl.pem when it is missing or a week old. Safe to run again.

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
    openssl ca -batch -config "$DIR/ca/openssl.cnf" ${passin[@]+"${passin[@]}"} "$@"
}

new_key() { # new_key FILE TYPE [openssl genpkey options…]
  local file=$1 type=$2
  shift 2
  case $type in
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "$@" -out "$file" 2>/dev/null ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 "$@" -out "$file" 2>/dev/null ;;
    *) die "invalid key type '$type' (ec or rsa)" ;;
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
  local passin=() tmp_key="$DIR/ca.key.new"
  if [ -n "${KEYHOLE_PKI_CA_PASSIN:-}" ]; then
    # Encrypted from the start: the plain key never reaches the disk.
    passin=(-passin "$KEYHOLE_PKI_CA_PASSIN")
    new_key "$tmp_key" "$type" -aes256 -pass "$KEYHOLE_PKI_CA_PASSIN" \
      || { rm -f "$tmp_key"; die "init: cannot encrypt the CA key with KEYHOLE_PKI_CA_PASSIN"; }
  else
    new_key "$tmp_key" "$type"
  fi
  mv "$tmp_key" "$DIR/ca.key"
  KEYHOLE_PKI_HOME=$DIR KEYHOLE_PKI_SAN=email:none@invalid openssl req -new -x509 -utf8 \
    -config "$DIR/ca/openssl.cnf" -extensions ca_cert ${passin[@]+"${passin[@]}"} \
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
  # The proxies' unit is theirs: a user certificate must never carry a proxy's name (keyhole.auth.proxy.subjects).
  [ "$(printf '%s' "$ou" | tr '[:upper:]' '[:lower:]')" = proxy ] && die "OU=proxy is reserved for 'pki.sh proxy'"
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

cmd_proxy() {
  local name=${1:-}; [ -n "$name" ] || die "proxy: NAME is required"; shift
  valid_name "$name"
  local cn=$name ou=proxy days=365
  while [ $# -gt 0 ]; do
    case $1 in
      --cn) cn=${2:?--cn needs a value}; shift 2 ;;
      --ou) ou=${2:?--ou needs a value}; shift 2 ;;
      --days) days=${2:?--days needs a value}; shift 2 ;;
      *) die "proxy: unknown option '$1'" ;;
    esac
  done
  valid_dn_value "common name" "$cn"; valid_dn_value "organizational unit" "$ou"; valid_days "$days"
  require_ca
  mkdir -p "$DIR/proxies"
  local base="$DIR/proxies/$name"
  [ -e "$base.crt" ] && die "proxy certificate '$name' exists already ($base.crt)"
  new_key "$base.key" "$(key_type)"
  issue client_cert "$base.key" "/O=$(ca_org)/OU=$ou/CN=$cn" "$days" "$base.crt"
  # Apache reads the proxy's certificate and key from one PEM file, and cannot take a passphrase for it.
  (umask 077 && cat "$base.crt" "$base.key" >"$base.pem")
  new_password "$base.p12.pass"
  openssl pkcs12 -export -in "$base.crt" -inkey "$base.key" -certfile "$DIR/ca.crt" -name "$cn" \
    -out "$base.p12" -passout "file:$base.p12.pass"
  say "proxy certificate: $base.crt ($(openssl x509 -in "$base.crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=//'))"
  say "proxy cert + key:  $base.pem (SSLProxyMachineCertificateFile; keep it private)"
  say "proxy .p12:        $base.p12 (password in $base.p12.pass)"
  say "Keyhole's setting: keyhole.auth.proxy.subjects=dn:$(openssl x509 -in "$base.crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')|$(openssl x509 -in "$base.crt" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')"
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
    elif [ -f "$DIR/proxies/$target.crt" ]; then crt="$DIR/proxies/$target.crt"
    else die "revoke: no certificate named '$target' in $DIR/clients, $DIR/servers or $DIR/proxies"; fi
  fi
  [ -f "$crt" ] || die "revoke: $crt does not exist"
  openssl verify -no_check_time -CAfile "$DIR/ca.crt" "$crt" >/dev/null 2>&1 \
    || die "revoke: $crt was not issued by this CA"
  local serial status
  serial=$(openssl x509 -in "$crt" -noout -serial | cut -d= -f2)
  status=$(awk -F'\t' -v s="$serial" 'toupper($4) == toupper(s) { print $1 }' "$DIR/ca/index.txt")
  case $status in
    R) say "already revoked: serial $serial" ;;
    V|E)
      ca_cmd -revoke "$crt" -crl_reason "$reason" 2>/dev/null || die "revoke: openssl could not revoke $crt"
      say "revoked: $crt (serial $serial, reason $reason)" ;;
    *) die "revoke: serial $serial is not in this CA's database" ;;
  esac
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
  local name=${1:-} out=""
  [ -n "$name" ] || die "jsse-properties: NAME is required"
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      -o) out=${2:?-o needs a file}; shift 2 ;;
      *) die "jsse-properties: unknown option '$1'" ;;
    esac
  done
  valid_name "$name"
  local base="$DIR/servers/$name"
  [ -f "$base.p12" ] || die "jsse-properties: no server keystore $base.p12"
  [ -f "$DIR/truststore.p12" ] || die "jsse-properties: no truststore in $DIR"
  if [ -n "$out" ]; then
    # Holds passwords: written readable by its owner only, replaced in one step.
    local tmp="$out.new"
    (umask 077 && cmd_jsse_properties "$name" >"$tmp") && chmod 600 "$tmp" && mv -f "$tmp" "$out"
    say "JSSE properties: $out (mode 600)"
    return
  fi
  printf 'javax.net.ssl.keyStore=%s\n' "$base.p12"
  printf 'javax.net.ssl.keyStorePassword=%s\n' "$(head -n1 "$base.p12.pass")"
  printf 'javax.net.ssl.trustStore=%s\n' "$DIR/truststore.p12"
  printf 'javax.net.ssl.trustStorePassword=%s\n' "$(head -n1 "$DIR/truststore.p12.pass")"
}

cmd_list() {
  require_ca
  local now
  now=$(date -u +%Y%m%d%H%M%S)
  printf '%-8s %-40s %-16s %s\n' STATUS SERIAL EXPIRES SUBJECT
  # Expiry dates in index.txt are YYMMDDHHMMSSZ (or YYYYMMDDHHMMSSZ after 2049).
  awk -F'\t' -v now="$now" '{
      expires = $2; sub(/Z$/, "", expires)
      if (length(expires) == 12) expires = (substr(expires, 1, 2) < 50 ? "20" : "19") expires
      status = ($1 == "R") ? "revoked" : (expires <= now || $1 == "E") ? "expired" : "valid"
      printf "%-8s %-40s %-16s %s\n", status, $4, $2, $6
    }' "$DIR/ca/index.txt"
}

# True when crl.pem is missing or was last written more than the given number of days ago.
crl_older_than() {
  [ -f "$DIR/crl.pem" ] || return 0
  [ -n "$(find "$DIR/crl.pem" -mtime "+$1" -print)" ]
}

# True when the certificate is missing or expires within the given number of days.
expiring() {
  [ -f "$1" ] || return 0
  ! openssl x509 -in "$1" -noout -checkend $(( $2 * 24 * 3600 )) >/dev/null 2>&1
}

# Moves a certificate aside (revoking it as superseded) so that it can be issued again.
supersede() { # supersede clients|servers NAME
  local base="$DIR/$1/$2"
  if [ -f "$base.crt" ]; then
    cmd_revoke "$base.crt" --reason superseded >/dev/null 2>&1 || true
    rm -f "$base.crt" "$base.key" "$base.p12" "$base.chain.pem"
  fi
}

cmd_dev() {
  [ -f "$DIR/ca.crt" ] || cmd_init --cn "Keyhole Dev CA" --org "Keyhole Dev" --days 3650
  if expiring "$DIR/servers/localhost.crt" 30 || [ ! -f "$DIR/servers/localhost.p12" ]; then
    supersede servers localhost
    cmd_server localhost --dns localhost --ip 127.0.0.1 --ip ::1
  fi
  if expiring "$DIR/clients/dev-user.crt" 30 || [ ! -f "$DIR/clients/dev-user.p12" ]; then
    supersede clients dev-user
    cmd_client dev-user --cn dev-user
  fi
  [ -f "$DIR/truststore.p12" ] || cmd_truststore
  # The CRL is valid 30 days; a week-old one is renewed.
  if crl_older_than 7; then cmd_crl; fi
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
  proxy) cmd_proxy "$@" ;;
  revoke) cmd_revoke "$@" ;;
  crl) cmd_crl "$@" ;;
  truststore) cmd_truststore ;;
  jsse-properties) cmd_jsse_properties "$@" ;;
  list) cmd_list ;;
  dev) cmd_dev ;;
  *) die "unknown command '$command' (see $PROG --help)" ;;
esac
