# shellcheck shell=bash
# tools/lib/db-common.sh — shared by tools/db-up, tools/db-down and tools/db-restart.
#
# Throwaway PostgreSQL and MariaDB servers for ledger's integration tests. They run
# from data directories under $LEDGER_DB_DIR, listen on 127.0.0.1 only, and never
# touch the system's own clusters or services (no pg_ctlcluster, no systemctl).
#
# Layout of $LEDGER_DB_DIR (default /tmp/ledger-test-db):
#   .lock                      flock(1) lock taken by every db-* script
#   postgres/data/             PGDATA (owned by postgres when we are root)
#   postgres/data/ledger.conf  port, listen address, socket dir (included by postgresql.conf)
#   postgres/run/              unix socket directory
#   postgres/postgres.log      server log
#   mariadb/my.cnf             the only option file mariadbd and the clients read here
#   mariadb/data/              datadir (owned by mysql when we are root)
#   mariadb/mariadb.{sock,pid,log}
#
# Environment (all optional):
#   LEDGER_DB_DIR   POSTGRES_PORT POSTGRES_USER POSTGRES_PASSWORD POSTGRES_DB
#   LEDGER_DB_WAIT  MARIADB_PORT  MARIADB_USER  MARIADB_PASSWORD  MARIADB_DATABASE
#   PG_BINDIR       (default: newest /usr/lib/postgresql/*/bin)

# shellcheck disable=SC2034  # used by db-up
DB_TOOLS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

DB_DIR=${LEDGER_DB_DIR:-/tmp/ledger-test-db}
case $DB_DIR in /*) ;; *) DB_DIR=$PWD/$DB_DIR ;; esac
DB_DIR=${DB_DIR%/}
DB_WAIT=${LEDGER_DB_WAIT:-60}

PG_PORT=${POSTGRES_PORT:-55432}
PG_USER=${POSTGRES_USER:-ledger}
PG_PASSWORD=${POSTGRES_PASSWORD:-ledger}
PG_DB=${POSTGRES_DB:-ledger_test}

MY_PORT=${MARIADB_PORT:-53306}
MY_USER=${MARIADB_USER:-ledger}
MY_PASSWORD=${MARIADB_PASSWORD:-ledger}
MY_DB=${MARIADB_DATABASE:-ledger_test}

PG_HOME=$DB_DIR/postgres
PG_DATA=$PG_HOME/data
PG_SOCK_DIR=$PG_HOME/run
PG_LOG=$PG_HOME/postgres.log

MY_HOME=$DB_DIR/mariadb
MY_DATA=$MY_HOME/data
MY_CNF=$MY_HOME/my.cnf
MY_SOCK=$MY_HOME/mariadb.sock
MY_PID=$MY_HOME/mariadb.pid
MY_LOG=$MY_HOME/mariadb.log

DB_SCRIPT=${DB_SCRIPT:-$(basename "$0")}
log() { printf '%s: %s\n' "$DB_SCRIPT" "$*" >&2; }
die() { printf '%s: error: %s\n' "$DB_SCRIPT" "$*" >&2; exit 1; }

for _v in PG_PORT MY_PORT DB_WAIT; do
    [[ ${!_v} =~ ^[0-9]+$ ]] || die "$_v must be a number, got '${!_v}'"
done
unset _v
[[ $PG_PORT != "$MY_PORT" ]] || die "POSTGRES_PORT and MARIADB_PORT are both $PG_PORT"
# sun_path is 108 bytes; keep well clear of it.
(( ${#PG_SOCK_DIR} + 20 < 100 && ${#MY_SOCK} < 100 )) \
    || die "LEDGER_DB_DIR ($DB_DIR) is too long for unix socket paths; use a shorter one"

# Server processes must not inherit a cwd they cannot read (e.g. /root).
cd /

IS_ROOT=0
[[ $(id -u) -eq 0 ]] && IS_ROOT=1

# --- generic helpers -----------------------------------------------------------------

# take_lock: serialize all db-* scripts on this DB_DIR (fd 9; closed for servers).
take_lock() {
    mkdir -p "$DB_DIR"
    chmod 755 "$DB_DIR" 2>/dev/null || true
    { exec 9>"$DB_DIR/.lock"; } 2>/dev/null \
        || die "cannot write $DB_DIR/.lock (made by another user?); set LEDGER_DB_DIR to a directory of your own"
    flock -w 120 9 || die "another db-* script holds $DB_DIR/.lock for over 120 s"
}

port_in_use() {   # port_in_use PORT: something accepts TCP on 127.0.0.1:PORT
    (exec 5<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pid_alive() {     # pid_alive PID [NAME]: running (not a zombie), cmdline matches ERE NAME
    local pid=${1:-} name=${2:-} state
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    # A killed server stays a zombie until init reaps it, which can take seconds.
    state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1) || return 1
    [[ -n $state && $state != Z && $state != X ]] || return 1
    [[ -z $name ]] || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -Eq -- "$name"
}

find_cmd() {      # find_cmd NAME...: first one found in PATH or /usr/sbin
    local c
    for c in "$@"; do
        if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return 0; fi
        if [[ -x /usr/sbin/$c ]]; then echo "/usr/sbin/$c"; return 0; fi
    done
    return 1
}

sql_str() {       # MariaDB string literal
    local s=${1//\\/\\\\}
    s=${s//\'/\'\'}
    printf "'%s'" "$s"
}
sql_ident() {     # MariaDB identifier
    # shellcheck disable=SC2016
    printf '`%s`' "${1//\`/\`\`}"
}

# Servers must not keep our stdout pipe (eval "$(tools/db-up)" would hang), the
# lock, or any pipe a CI runner handed down; every command that may leave a server
# behind runs through these, with stdin from /dev/null and all fds above 2 closed.
close_extra_fds() {
    local f n
    for f in "/proc/$BASHPID/fd"/*; do
        n=${f##*/}
        [[ $n =~ ^[0-9]+$ && $n -gt 2 ]] && eval "exec $n>&-" 2>/dev/null
    done
    return 0
}
detached() { ( close_extra_fds; "$@" ) </dev/null; }

# --- PostgreSQL ------------------------------------------------------------------------

pg_bindir() {
    local d c
    if [[ -n ${PG_BINDIR:-} ]]; then
        [[ -x $PG_BINDIR/initdb && -x $PG_BINDIR/pg_ctl ]] || die "PG_BINDIR=$PG_BINDIR has no initdb/pg_ctl"
        echo "$PG_BINDIR"
        return
    fi
    d=$(for c in /usr/lib/postgresql/*/bin; do if [[ -x $c/initdb ]]; then echo "$c"; fi; done | sort -V | tail -n 1)
    [[ -n $d && -x $d/initdb && -x $d/pg_ctl ]] \
        || die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin; run tools/setup --servers"
    echo "$d"
}

PG_OS_USER=$(id -un)
[[ $IS_ROOT -eq 1 ]] && PG_OS_USER=postgres

as_pg() {
    if [[ $IS_ROOT -eq 1 ]]; then
        id postgres >/dev/null 2>&1 || die "no 'postgres' system user; run tools/setup --servers"
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_pid() {        # pid of a live postmaster for PG_DATA, or nothing
    local pid
    [[ -r $PG_DATA/postmaster.pid ]] || return 0
    pid=$(sed -n 1p "$PG_DATA/postmaster.pid" 2>/dev/null || true)
    if pid_alive "$pid" postgres; then echo "$pid"; fi
}

pg_running_port() { sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true; }

pg_initialized() { [[ -f $PG_HOME/.initialized && -f $PG_DATA/PG_VERSION ]]; }

pg_ready() {      # accepting connections on the unix socket, on the configured port
    local port
    port=$(pg_conf_port)
    [[ -n $port ]] || return 1
    "$PGBIN/pg_isready" -q -h "$PG_SOCK_DIR" -p "$port" -U postgres -d postgres -t 2 >/dev/null 2>&1
}

pg_conf_port() { sed -n "s/^port = \([0-9]*\)$/\1/p" "$PG_DATA/ledger.conf" 2>/dev/null || true; }

pg_init() {       # create the cluster if needed, (re)write ledger.conf with PG_PORT
    mkdir -p "$PG_HOME"
    [[ $IS_ROOT -eq 1 ]] && chown postgres:postgres "$PG_HOME"
    chmod 755 "$PG_HOME"
    as_pg test -w "$PG_HOME" \
        || die "user $PG_OS_USER cannot write $PG_HOME (is a parent of $DB_DIR closed to it?)"
    if ! pg_initialized; then
        log "postgres: initdb in $PG_DATA"
        rm -rf "$PG_DATA"
        as_pg "$PGBIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --no-locale \
            --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$PG_HOME/initdb.log" 2>&1 \
            || { tail -n 20 "$PG_HOME/initdb.log" >&2; die "postgres: initdb failed (log: $PG_HOME/initdb.log)"; }
        echo "include_if_exists = 'ledger.conf'" | as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
        touch "$PG_HOME/.initialized"
    fi
    as_pg mkdir -p "$PG_SOCK_DIR"
    # Throwaway test server: fsync off (a killed *process* loses nothing; only an
    # OS crash would), and shared buffers that hold the 1M-row benchmark's tables and
    # indexes (about 400 MB; the stock 128 MB makes every lookup a read from the OS
    # cache); everything else stock so restart tests see real behaviour.
    as_pg tee "$PG_DATA/ledger.conf" >/dev/null <<EOF
# Written by tools/db-up; rewritten on every start by db-up.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCK_DIR'
fsync = off
full_page_writes = off
shared_buffers = 768MB
log_min_messages = warning
EOF
}

pg_start() {      # start on the existing cluster and config, wait until ready
    local port
    port=$(pg_conf_port)
    if port_in_use "$port"; then
        die "postgres: 127.0.0.1:$port is already in use by another process; set POSTGRES_PORT"
    fi
    local deadline=$((SECONDS + DB_WAIT)) old state log_size
    # After a kill -9 the old postmaster stays a zombie until init reaps it, and its
    # children linger until they notice; postgres refuses to start until both are gone.
    old=$(sed -n 1p "$PG_DATA/postmaster.pid" 2>/dev/null || true)
    if [[ $old =~ ^[0-9]+$ ]] && kill -0 "$old" 2>/dev/null; then
        state=$(sed 's/^.*) //' "/proc/$old/stat" 2>/dev/null | cut -c1 || true)
        if [[ $state == Z ]] || pid_alive "$old" postgres; then
            log "postgres: waiting for the previous postmaster (pid $old) to be gone"
            while kill -0 "$old" 2>/dev/null; do
                (( SECONDS < deadline )) || die "postgres: old postmaster pid $old still exists after ${DB_WAIT}s"
                sleep 0.1
            done
        else
            log "postgres: removing stale postmaster.pid (pid $old now belongs to another program)"
            rm -f "$PG_DATA/postmaster.pid"
        fi
    fi
    log "postgres: starting on 127.0.0.1:$port (data $PG_DATA)"
    [[ $IS_ROOT -eq 1 ]] && { touch "$PG_LOG"; chown postgres:postgres "$PG_LOG"; }
    while :; do
        log_size=$(stat -c %s "$PG_LOG" 2>/dev/null || echo 0)
        if detached as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$DB_WAIT" start >&2; then
            break
        fi
        if (( SECONDS < deadline )) && tail -c +"$((log_size + 1))" "$PG_LOG" 2>/dev/null \
                | grep -q -e 'pre-existing shared memory block' -e 'lock file .* already exists'; then
            log "postgres: previous server's processes still exiting; retrying"
            sleep 0.5
            continue
        fi
        tail -n 30 "$PG_LOG" >&2 || true
        die "postgres: pg_ctl start failed (log: $PG_LOG)"
    done
    pg_wait_ready
}

pg_wait_ready() {
    local deadline=$((SECONDS + DB_WAIT))
    until pg_ready; do
        if [[ -z $(pg_pid) ]]; then
            tail -n 30 "$PG_LOG" >&2 || true
            die "postgres: server exited during startup (log: $PG_LOG)"
        fi
        (( SECONDS < deadline )) || die "postgres: not accepting connections after ${DB_WAIT}s (log: $PG_LOG)"
        sleep 0.2
    done
}

pg_stop() {       # fast shutdown if running
    local pid
    pid=$(pg_pid)
    if [[ -z $pid ]]; then log "postgres: not running"; return 0; fi
    log "postgres: stopping (pid $pid, fast)"
    detached as_pg "$PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$DB_WAIT" stop >&2 \
        || die "postgres: pg_ctl stop failed (log: $PG_LOG)"
}

pg_provision() {  # idempotent: role (login, superuser, password) and database
    as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK_DIR" -p "$(pg_conf_port)" \
        -U postgres -d postgres \
        -v u="$PG_USER" -v pw="$PG_PASSWORD" -v db="$PG_DB" >/dev/null <<'EOF' \
        || die "postgres: creating role/database failed"
SELECT format('CREATE ROLE %I LOGIN', :'u')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
ALTER ROLE :"u" WITH LOGIN SUPERUSER PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'u')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
EOF
}

pg_check_login() {  # the credentials we print really work over TCP
    PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=5 "$PGBIN/psql" -X -q -At \
        -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -c 'SELECT 1' >/dev/null \
        || die "postgres: cannot log in as $PG_USER to $PG_DB on 127.0.0.1:$PG_PORT"
}

# --- MariaDB -------------------------------------------------------------------------------

MY_OS_USER=$(id -un)     # the OS user mariadbd runs as
MY_ADMIN=$(id -un)       # the MariaDB account we administer with (unix_socket auth)
if [[ $IS_ROOT -eq 1 ]]; then
    MY_ADMIN=root
    if id mysql >/dev/null 2>&1; then MY_OS_USER=mysql; else MY_OS_USER=root; fi
fi

my_bins() {
    MYSQLD=$(find_cmd mariadbd mysqld) || die "no mariadbd/mysqld; run tools/setup --servers"
    MYSQL=$(find_cmd mariadb mysql) || die "no mariadb client; run tools/setup --servers"
    MYADMIN=$(find_cmd mariadb-admin mysqladmin) || die "no mariadb-admin; run tools/setup --servers"
    MYINSTALL=$(find_cmd mariadb-install-db mysql_install_db) || die "no mariadb-install-db; run tools/setup --servers"
}

my_pid() {
    local pid
    [[ -r $MY_PID ]] || return 0
    pid=$(tr -dc '0-9' <"$MY_PID" 2>/dev/null || true)
    if pid_alive "$pid" 'mariadbd|mysqld'; then echo "$pid"; fi
}

my_initialized() { [[ -f $MY_HOME/.initialized && -d $MY_DATA/mysql ]]; }

my_conf_port() { sed -n 's/^port=\([0-9]*\)$/\1/p;T;q' "$MY_CNF" 2>/dev/null || true; }

my_admin() { "$MYADMIN" --defaults-file="$MY_CNF" -u "$MY_ADMIN" --connect-timeout=2 "$@"; }
my_sql()   { "$MYSQL" --defaults-file="$MY_CNF" -u "$MY_ADMIN" --connect-timeout=5 "$@"; }

my_ready() { my_admin --silent ping >/dev/null 2>&1; }

my_write_cnf() {
    local user_line
    user_line="# runs as $(id -un)"
    [[ $IS_ROOT -eq 1 ]] && user_line="user=$MY_OS_USER"
    cat >"$MY_CNF" <<EOF
# Written by tools/db-up; rewritten on every start by db-up.
[client]
socket=$MY_SOCK
port=$MY_PORT

[mysqld]
${user_line}
datadir=$MY_DATA
socket=$MY_SOCK
port=$MY_PORT
bind-address=127.0.0.1
skip-name-resolve
pid-file=$MY_PID
log-error=$MY_LOG
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
innodb-log-file-size=48M
# written to the OS at commit, flushed once a second: survives a killed mariadbd
innodb-flush-log-at-trx-commit=2
EOF
    chmod 644 "$MY_CNF"
}

my_init() {       # create the datadir if needed, (re)write my.cnf with MARIADB_PORT
    mkdir -p "$MY_HOME"
    chmod 755 "$MY_HOME"
    [[ $IS_ROOT -eq 1 ]] && chown "$MY_OS_USER:" "$MY_HOME"
    if [[ $IS_ROOT -eq 1 && $MY_OS_USER != root ]]; then
        runuser -u "$MY_OS_USER" -- test -w "$MY_HOME" \
            || die "user $MY_OS_USER cannot write $MY_HOME (is a parent of $DB_DIR closed to it?)"
    fi
    my_write_cnf
    if ! my_initialized; then
        log "mariadb: mariadb-install-db in $MY_DATA"
        rm -rf "$MY_DATA"
        local opts=(--defaults-file="$MY_CNF" --skip-test-db --auth-root-authentication-method=socket)
        if [[ $IS_ROOT -eq 1 ]]; then opts+=(--user="$MY_OS_USER")
        else opts+=(--auth-root-socket-user="$MY_ADMIN"); fi
        detached "$MYINSTALL" "${opts[@]}" >"$MY_HOME/install-db.log" 2>&1 \
            || { tail -n 20 "$MY_HOME/install-db.log" >&2; die "mariadb: mariadb-install-db failed (log: $MY_HOME/install-db.log)"; }
        touch "$MY_HOME/.initialized"
    fi
}

my_start() {      # start with the existing my.cnf, wait until ready
    local port pid
    port=$(my_conf_port)
    if port_in_use "$port"; then
        die "mariadb: 127.0.0.1:$port is already in use by another process; set MARIADB_PORT"
    fi
    log "mariadb: starting on 127.0.0.1:$port (data $MY_DATA)"
    rm -f "$MY_SOCK"
    # setsid: own session, so a Ctrl-C or a CI job's process-group kill of the
    # caller does not take the server down mid-test.
    # exec all the way down, so that $! is mariadbd itself.
    ( close_extra_fds; exec setsid "$MYSQLD" --defaults-file="$MY_CNF" ) \
        </dev/null >>"$MY_HOME/mariadbd.out" 2>&1 &
    pid=$!
    local deadline=$((SECONDS + DB_WAIT))
    until my_ready; do
        if ! pid_alive "$pid"; then
            tail -n 30 "$MY_LOG" >&2 || true
            die "mariadb: server exited during startup (log: $MY_LOG)"
        fi
        (( SECONDS < deadline )) || die "mariadb: not accepting connections after ${DB_WAIT}s (log: $MY_LOG)"
        sleep 0.2
    done
}

my_wait_ready() {
    local deadline=$((SECONDS + DB_WAIT))
    until my_ready; do
        [[ -n $(my_pid) ]] || die "mariadb: server exited (log: $MY_LOG)"
        (( SECONDS < deadline )) || die "mariadb: not accepting connections after ${DB_WAIT}s (log: $MY_LOG)"
        sleep 0.2
    done
}

my_stop() {       # clean shutdown (SQL SHUTDOWN), TERM/KILL as fallback
    local pid deadline
    pid=$(my_pid)
    if [[ -z $pid ]]; then log "mariadb: not running"; return 0; fi
    log "mariadb: stopping (pid $pid)"
    # SQL SHUTDOWN returns at once (mariadb-admin shutdown polls once a second); we poll.
    my_sql -e 'SHUTDOWN' >/dev/null 2>&1 || my_admin shutdown >/dev/null 2>&1 \
        || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + DB_WAIT))
    while pid_alive "$pid"; do
        if (( SECONDS >= deadline )); then
            log "mariadb: still running after ${DB_WAIT}s, sending KILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
            break
        fi
        sleep 0.05
    done
}

my_provision() {  # idempotent: database, user@'%' and user@localhost, grants
    local u pw db h
    u=$(sql_str "$MY_USER"); pw=$(sql_str "$MY_PASSWORD"); db=$(sql_ident "$MY_DB")
    {
        echo "CREATE DATABASE IF NOT EXISTS $db;"
        for h in "'%'" "'localhost'"; do
            echo "CREATE USER IF NOT EXISTS $u@$h IDENTIFIED BY $pw;"
            echo "ALTER USER $u@$h IDENTIFIED BY $pw;"
            echo "GRANT ALL PRIVILEGES ON $db.* TO $u@$h;"
            # Scratch databases of the tests (MariaDBScratch): ledger_t_<random>.
            echo "GRANT ALL PRIVILEGES ON \`ledger\\_t\\_%\`.* TO $u@$h;"
        done
    } | my_sql || die "mariadb: creating user/database failed"
}

my_check_login() {
    MYSQL_PWD=$MY_PASSWORD "$MYSQL" --no-defaults --protocol=TCP -h 127.0.0.1 -P "$MY_PORT" \
        -u "$MY_USER" --connect-timeout=5 -N -e 'SELECT 1' "$MY_DB" >/dev/null \
        || die "mariadb: cannot log in as $MY_USER to $MY_DB on 127.0.0.1:$MY_PORT"
}
