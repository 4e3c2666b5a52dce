#!/bin/sh
# Start/stop the Keyhole Apache front: keyhole-apache.sh start|stop|restart|graceful|status|configtest|run
#
# Settings are environment variables (defaults below); httpd.conf reads them as ${KEYHOLE_APACHE_*}.
# Works as root (children switch to KEYHOLE_APACHE_USER/KEYHOLE_APACHE_GROUP, default www-data; keys are read by the root parent, so they
# may stay mode 600 root) and as an ordinary user (ports above 1023, files readable by that user, KEYHOLE_APACHE_USER ignored).
#   run        = foreground (for systemd Type=simple, containers); the script becomes apache2 (exec), so stop it with SIGTERM or SIGWINCH to its PID
#   graceful   = re-read certificates and the CRL without dropping connections (needed after `pki.sh revoke`)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
: "${KEYHOLE_APACHE_CONF:=$here/httpd.conf}"
: "${KEYHOLE_APACHE_RUN_DIR:=/run/keyhole-apache}"
: "${KEYHOLE_APACHE_PKI:=/etc/keyhole/pki}"
: "${KEYHOLE_APACHE_LISTEN_ADDR:=0.0.0.0}"
: "${KEYHOLE_APACHE_HTTPS_PORT:=443}"
: "${KEYHOLE_APACHE_HTTP_PORT:=80}"
: "${KEYHOLE_APACHE_SERVER_NAME:=localhost}"
if [ "$KEYHOLE_APACHE_HTTPS_PORT" = 443 ]; then : "${KEYHOLE_APACHE_PUBLIC_URL:=https://$KEYHOLE_APACHE_SERVER_NAME}"; fi
: "${KEYHOLE_APACHE_PUBLIC_URL:=https://$KEYHOLE_APACHE_SERVER_NAME:$KEYHOLE_APACHE_HTTPS_PORT}"
: "${KEYHOLE_APACHE_CERT:=$KEYHOLE_APACHE_PKI/servers/$KEYHOLE_APACHE_SERVER_NAME.chain.pem}"
: "${KEYHOLE_APACHE_KEY:=$KEYHOLE_APACHE_PKI/servers/$KEYHOLE_APACHE_SERVER_NAME.key}"
: "${KEYHOLE_APACHE_CA:=$KEYHOLE_APACHE_PKI/ca.crt}"
: "${KEYHOLE_APACHE_CRL:=$KEYHOLE_APACHE_PKI/crl.pem}"
: "${KEYHOLE_APACHE_BACKEND:=https://127.0.0.1:8443}"
: "${KEYHOLE_APACHE_BACKEND_CA:=$KEYHOLE_APACHE_CA}"
: "${KEYHOLE_APACHE_PROXY_CERT:=$KEYHOLE_APACHE_PKI/proxies/apache.pem}"
: "${KEYHOLE_APACHE_PROXY_TIMEOUT:=90}"
: "${KEYHOLE_APACHE_USER:=www-data}"
: "${KEYHOLE_APACHE_GROUP:=www-data}"
: "${KEYHOLE_APACHE_LOG_LEVEL:=warn}"
: "${KEYHOLE_APACHE_BACKENDS:=}"
: "${KEYHOLE_APACHE_HEALTH_INTERVAL:=2}"
: "${APACHE2:=$(command -v apache2 || echo /usr/sbin/apache2)}"
export KEYHOLE_APACHE_RUN_DIR KEYHOLE_APACHE_LISTEN_ADDR KEYHOLE_APACHE_HTTPS_PORT KEYHOLE_APACHE_HTTP_PORT KEYHOLE_APACHE_SERVER_NAME KEYHOLE_APACHE_PUBLIC_URL KEYHOLE_APACHE_CERT KEYHOLE_APACHE_KEY KEYHOLE_APACHE_CA \
       KEYHOLE_APACHE_CRL KEYHOLE_APACHE_BACKEND KEYHOLE_APACHE_BACKEND_CA KEYHOLE_APACHE_PROXY_CERT KEYHOLE_APACHE_PROXY_TIMEOUT KEYHOLE_APACHE_USER KEYHOLE_APACHE_GROUP KEYHOLE_APACHE_LOG_LEVEL

pidfile="$KEYHOLE_APACHE_RUN_DIR/httpd.pid"

# Several backends: the members of the balancer, one line each, and the define that switches httpd.conf to it.
defines=""
balanced() {
    [ -n "$KEYHOLE_APACHE_BACKENDS" ] || return 0
    mkdir -p "$KEYHOLE_APACHE_RUN_DIR"
    members="$KEYHOLE_APACHE_RUN_DIR/balancer-members.conf"
    : >"$members.new"
    for backend in $KEYHOLE_APACHE_BACKENDS; do
        case "$backend" in
            https://*) ;;
            *) echo "keyhole-apache: backend $backend is not an https:// URL" >&2; exit 1 ;;
        esac
        printf 'BalancerMember "%s" upgrade=websocket retry=5 hcmethod=GET hcuri=/health/ready hcinterval=%s hcfails=1 hcpasses=1\n' \
            "${backend%/}" "$KEYHOLE_APACHE_HEALTH_INTERVAL" >>"$members.new"
    done
    mv "$members.new" "$members"
    defines="-D KEYHOLE_APACHE_BALANCED"
}
target() {
    if [ -n "$KEYHOLE_APACHE_BACKENDS" ]; then echo "balancer of $KEYHOLE_APACHE_BACKENDS"; else echo "$KEYHOLE_APACHE_BACKEND"; fi
}

running() {
    [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

check_files() {
    for f in "$KEYHOLE_APACHE_CERT" "$KEYHOLE_APACHE_KEY" "$KEYHOLE_APACHE_CA" "$KEYHOLE_APACHE_CRL" "$KEYHOLE_APACHE_BACKEND_CA" "$KEYHOLE_APACHE_PROXY_CERT"; do
        [ -r "$f" ] || { echo "keyhole-apache: cannot read $f" >&2; exit 1; }
    done
    if [ "$(id -u)" != 0 ] && [ "$KEYHOLE_APACHE_HTTPS_PORT" -lt 1024 -o "$KEYHOLE_APACHE_HTTP_PORT" -lt 1024 ]; then
        echo "keyhole-apache: ports below 1024 need root (or CAP_NET_BIND_SERVICE)" >&2; exit 1
    fi
}

case "${1:-}" in
start)
    if running; then echo "keyhole-apache: already running, PID $(cat "$pidfile")"; exit 0; fi
    mkdir -p "$KEYHOLE_APACHE_RUN_DIR"
    check_files
    balanced
    out=$("$APACHE2" -f "$KEYHOLE_APACHE_CONF" $defines -t 2>&1) || { echo "$out" >&2; exit 1; }   # refuse to start on a config error
    # Apache's own output goes to a file: the daemon must not hold the caller's terminal or pipe open.
    "$APACHE2" -f "$KEYHOLE_APACHE_CONF" $defines -k start </dev/null >"$KEYHOLE_APACHE_RUN_DIR/start.log" 2>&1 \
        || { cat "$KEYHOLE_APACHE_RUN_DIR/start.log" >&2; exit 1; }
    i=0
    while ! running; do
        i=$((i + 1)); [ $i -le 100 ] || { echo "keyhole-apache: did not start, see $KEYHOLE_APACHE_RUN_DIR/error.log" >&2; tail -5 "$KEYHOLE_APACHE_RUN_DIR/error.log" >&2; exit 1; }
        sleep 0.1
    done
    echo "keyhole-apache: started, PID $(cat "$pidfile"), https://$KEYHOLE_APACHE_LISTEN_ADDR:$KEYHOLE_APACHE_HTTPS_PORT -> $(target)"
    ;;
run)
    mkdir -p "$KEYHOLE_APACHE_RUN_DIR"
    check_files
    balanced
    exec "$APACHE2" -f "$KEYHOLE_APACHE_CONF" $defines -D FOREGROUND
    ;;
stop)
    if ! running; then echo "keyhole-apache: not running"; rm -f "$pidfile"; exit 0; fi
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1)); [ $i -le 150 ] || { echo "keyhole-apache: PID $pid still running after 15 s" >&2; exit 1; }
        sleep 0.1
    done
    echo "keyhole-apache: stopped (PID $pid)"
    ;;
restart)
    "$0" stop && "$0" start
    ;;
graceful)
    running || { echo "keyhole-apache: not running" >&2; exit 1; }
    check_files
    balanced
    out=$("$APACHE2" -f "$KEYHOLE_APACHE_CONF" $defines -t 2>&1) || { echo "$out" >&2; exit 1; }
    kill -USR1 "$(cat "$pidfile")"
    echo "keyhole-apache: graceful restart of PID $(cat "$pidfile") (certificates and CRL re-read)"
    ;;
status)
    if running; then echo "keyhole-apache: running, PID $(cat "$pidfile")"; else echo "keyhole-apache: stopped"; exit 3; fi
    ;;
configtest)
    mkdir -p "$KEYHOLE_APACHE_RUN_DIR"
    balanced
    "$APACHE2" -f "$KEYHOLE_APACHE_CONF" $defines -t
    ;;
*)
    echo "usage: $0 start|stop|restart|graceful|status|configtest|run" >&2; exit 2
    ;;
esac
