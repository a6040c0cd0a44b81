#!/usr/bin/env bash
# Thin jails with a real service: two vnet jails share the host's /usr,
# /bin, /lib read-only (mount entries), each with its own /etc and data
# directory, each running Debian's unmodified PostgreSQL as its own
# postgres user on the same port.  Files on disk keep their owners.
. "$(dirname "$0")/lib.sh"

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/postgres" ] || ! id postgres >/dev/null 2>&1; then
	skip "PostgreSQL is not installed (scripts/setup installs it)" 1
	done_testing
	exit 0
fi
pguid=$(id -u postgres)
pggid=$(id -g postgres)

# a jail's own root: /etc with the postgres user, a data directory
mkpg() {
	local r=$1 name=$2
	mkroot "$r"
	mkdir -p "$r/usr" "$r/lib" "$r/lib64" "$r/var/lib/postgresql" "$r/run/postgresql"
	ln -s ../run "$r/var/run"
	chmod 755 "$r"
	cat >"$r/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
postgres:x:$pguid:$pggid:PostgreSQL:/var/lib/postgresql:/bin/sh
EOF
	cat >"$r/etc/group" <<EOF
root:x:0:
postgres:x:$pggid:
EOF
	# the jail's rc: make the cluster once, then start it
	cat >"$r/etc/rc.pg" <<EOF
D=/var/lib/postgresql/data
if [ ! -f \$D/PG_VERSION ]; then
	$pgbin/initdb -D \$D --no-sync --locale=C -A trust -U postgres >/tmp/initdb.log 2>&1 || exit 1
	echo "cluster_name = '$name'" >>\$D/postgresql.conf
	echo "listen_addresses = '127.0.0.1'" >>\$D/postgresql.conf
	echo "fsync = off" >>\$D/postgresql.conf
fi
exec $pgbin/pg_ctl -D \$D -l /tmp/pg.log -w -t 30 start
EOF
	chown "$pguid:$pggid" "$r/var/lib/postgresql" "$r/run/postgresql"
}

P1=${T}pg1
P2=${T}pg2
mkpg "$WORK/pg1" "$P1"
mkpg "$WORK/pg2" "$P2"
C=$WORK/jail.conf
cat >"$C" <<EOF
path = "$WORK/\$name";
vnet;
persist;
mount  = "/usr \$path/usr nullfs ro";
mount += "/bin \$path/bin nullfs ro";
mount += "/lib \$path/lib nullfs ro";
mount += "/lib64 \$path/lib64 nullfs ro";
mount += "tmpfs \$path/tmp tmpfs rw,mode=1777,size=16m";
exec.jail_user = postgres;
exec.start = "/bin/sh /etc/rc.pg";
exec.stop = "$pgbin/pg_ctl -D /var/lib/postgresql/data -m fast -w stop";
$P1 { path = "$WORK/pg1"; }
$P2 { path = "$WORK/pg2"; }
EOF

RUN_TIMEOUT=90 run jail -f "$C" -c $P1 $P2
is "$RC" 0 "two thin jails running PostgreSQL start" || diag "$ERR$(cat "$WORK"/pg*/tmp/*.log 2>/dev/null)"
like "$OUT" "$P1: created" "  $P1 created"
like "$OUT" "$P2: created" "  $P2 created"
for j in $P1 $P2; do
	is "$(jexec -U postgres $j $pgbin/psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atc 'show cluster_name' 2>&1)" "$j" \
		"$j: its own server answers on 127.0.0.1:5432 in its own stack"
	is "$(jexec -U postgres $j $pgbin/psql -p 5432 -U postgres -d postgres -Atc 'select current_user' 2>&1)" "postgres" \
		"$j: and on its own unix socket in /run/postgresql"
	is "$(jexec $j /usr/bin/ps -o user= -C postgres 2>/dev/null | sort -u)" "postgres" \
		"$j: the server runs as the jail's postgres user"
done
run jexec -U postgres $P1 $pgbin/psql -h 127.0.0.1 -U postgres -d postgres -Atc 'create table t1 (x int)'
run jexec -U postgres $P2 $pgbin/psql -h 127.0.0.1 -U postgres -d postgres -Atc "select count(*) from pg_tables where tablename = 't1'"
is "$RC.$OUT" "0.0" "the two servers are separate (a table made in $P1 is not in $P2)"
is "$(stat -c %u:%g "$WORK/pg1/var/lib/postgresql/data/PG_VERSION" "$WORK/pg2/var/lib/postgresql/data/base")" \
	"$pguid:$pggid
$pguid:$pggid" "on disk the data files belong to postgres"
j1=$(jid_of $P1) j2=$(jid_of $P2)
pids=$(jail_pids $j1)
huid=$(for p in $pids; do awk '/^Uid:/ { print $2 }' /proc/$p/status 2>/dev/null; done | sort -n | tail -1)
ok "$([ "${huid:-0}" -ge 1073741824 ]; echo $?)" "  while the jail's postgres is no host user ($huid on the host)"
run jexec $P1 /bin/sh -c "touch /usr/pg-$T"
isnt "$RC" 0 "  the jail's root cannot write to the shared /usr"
check "  the host's /usr has no new file" test ! -e /usr/pg-$T

RUN_TIMEOUT=60 run jail -f "$C" -r $P1 $P2
is "$RC" 0 "both stopped with exec.stop (pg_ctl stop) and removed"
check "  no server process is left" test -z "$(jail_pids $j1)$(jail_pids $j2)"

done_testing
