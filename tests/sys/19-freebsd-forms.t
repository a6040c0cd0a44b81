#!/usr/bin/env bash
# jail(8) as a FreeBSD admin knows it: which notes are printed, -J, -v,
# -e quoting, the hooks' JID/JNAME/JPATH, the legacy command line,
# jail -r/-R by jid, numeric blocks, jid =, command-line parameters over
# a jail.conf jail.  Texts are FreeBSD's (usr.sbin/jail).
. "$(dirname "$0")/lib.sh"

C=$WORK/jail.conf
LOG=$OPEN/env.log
: >"$LOG"
chmod 666 "$LOG"
cat >"$C" <<EOF
path = "/";
persist;
exec.poststart = 'echo host \$JID \$JNAME \$JPATH >>$LOG';
exec.start = 'echo jail \$JID \$JNAME \$JPATH >>$LOG';
${T}w {
	host.hostname = "w.example";
	exec.prestart = 'echo pre "\${JID-unset}" \$JNAME >>$LOG';
}
777 {
	host.hostname = "h\${name}";
}
${T}j {
	jid = 778;
	host.domainname = "";
	exec.clean;
}
EOF

# notes: jail.conf jails print them; command-line jails do not
run jail -f "$C" -c ${T}w
is "$RC.$OUT.$ERR" "0.${T}w: created." "a jail.conf jail: 'NAME: created'"
is "$(cat "$LOG")" "pre unset ${T}w
jail $(jid_of ${T}w) ${T}w /
host $(jid_of ${T}w) ${T}w /" "JID (once there is one), JNAME, JPATH in host and jail hooks"
run jail -f "$C" -m ${T}w host.hostname=over
is "$RC.$OUT.$ERR" "0.${T}w: updated." "jail -m NAME param=value: merged over jail.conf, 'NAME: updated'"
is "$(jls -j ${T}w host.hostname)" "over" "  the command line's value won"
run jail -q -f "$C" -r ${T}w
is "$RC.$OUT.$ERR" "0.." "-q: no note"

run jail -c name=${T}c path=/ persist
is "$RC.$OUT.$ERR" "0.." "a command-line jail: nothing printed"
run jail -v -m name=${T}c host.hostname=v.example
is "$RC.$OUT" "0.${T}c: jail_set(JAIL_UPDATE) name=${T}c host.hostname=v.example
${T}c: updated" "-v: the jail_set call and the note"
run jail -c name=${T}d path=/ persist
run jail -r ${T}c ${T}d
is "$RC.$OUT" "0.${T}c: removed
${T}d: removed" "jail -r of several jails: 'removed' notes"

# numeric blocks are jids; jid = N is honoured; \${name} of a numeric block
run jail -f "$C" -c 777 ${T}j
is "$RC.$OUT.$ERR" "0.777: created
${T}j: created." "a numeric block and a block with jid ="
is "$(jls -j 777 jid name host.hostname)" "777 777 h777" "  block 777 is jid 777, named 777, \${name} is 777"
is "$(jls -j ${T}j jid)" "778" "  jid = 778 honoured"
run jail -r 777
is "$RC.$OUT.$ERR" "0.." "jail -r JID (no jail.conf read): removed, quietly"
check "  jid 777 is gone" jail_absent 777
run jail -R 778
is "$RC.$ERR" "0." "jail -R JID"
check "  jid 778 is gone" jail_absent ${T}j

# -e: FreeBSD's quoting, "" for an empty value, booleans bare, no jid
run jail -f "$C" -e '|'
like "$OUT" "^name=${T}j\|path=/\|persist\|exec.poststart=\"echo host \\\$JID \\\$JNAME \\\$JPATH >>$LOG\"\|exec.start=.*\|host.domainname=\"\"\|exec.clean\$" \
	"jail -e: quoted values, \"\" for empty, bare booleans, jid left out"

# -J: the jid file, FreeBSD's form
run jail -J "$WORK/jids" -c name=${T}J path=/ persist host.hostname="a b"
is "$RC.$(cat "$WORK/jids")" "0.jid=$(jid_of ${T}J) name=${T}J path=/ persist host.hostname=\"a b\"" \
	"-J file: jid=N then the parameters, quoted"
rm_jail ${T}J

# the legacy form: jail [-n name] path hostname ip command ...
run jail -J "$WORK/jids" -n ${T}L / legacy.example "" /bin/sh -c 'hostname; echo $JNAME'
is "$RC.$OUT" "0.legacy.example
${T}L" "jail -n NAME path hostname '' command: runs the command in a new jail"
like "$(cat "$WORK/jids")" "^[0-9]+	/	legacy.example		/bin/sh -c \"hostname; echo \\\$JNAME\"\$" \
	"  -J writes jid, path, hostname, addresses, command (tab-separated)"
check "  the jail went with its command" wait_for 5 jail_absent ${T}L
run jail / h
is "$RC" 1 "a legacy command line with too few words: usage"
like "$ERR" "^usage: jail" "  the usage text"

# stored parameters FreeBSD's tools read: meta, env (newlines kept),
# osrelease, osreldate, host.hostuuid, host.hostid, interface, devfs_ruleset
M=${T}m
run jail -c name=$M path=/ persist meta="$(printf 'owner=ops\nnote=a\\b')" env=tier=web \
	osrelease=14.2-RELEASE osreldate=1402000 host.hostid=305419896 interface=eth0 devfs_ruleset=4
is "$RC.$ERR" "0." "meta, env, osrelease, osreldate, host.hostid, interface, devfs_ruleset are accepted"
is "$(jls -j $M meta)" "owner=ops
note=a\b" "  meta keeps its lines and backslashes (escaped in the registry)"
is "$(jls -j $M -n env osrelease osreldate host.hostid interface devfs_ruleset host.hostuuid)" \
	"env=tier=web osrelease=14.2-RELEASE osreldate=1402000 host.hostid=305419896 interface=eth0 devfs_ruleset=4 host.hostuuid=00000000-0000-0000-0000-000000000000" \
	"  and the others read back; host.hostuuid defaults to FreeBSD's null UUID"
run jail -m name=$M meta.owner=dev meta.note meta.new=1
is "$RC.$(jls -j $M meta)" "0.new=1
owner=dev" "jail -m meta.KEY=VALUE sets a key (new keys first), a bare meta.KEY removes one"
is "$(jls -j $M meta.owner meta.none env.tier)" "dev \"\" web" "jls meta.KEY reads one key (empty if absent)"
run jail -m name=$M "meta.a b=1"
is "$RC.$ERR" "1.jail: meta.a b: invalid key" "a key with a blank is refused"
# updates of different keys at once all land: libjail merges each into
# the stored value under the registry's exclusive lock
pids=()
for i in $(seq 1 16); do jail -m name=$M meta.c$i=$i env.e$i=$i & pids+=($!); done
wait "${pids[@]}"
is "$(jls -j $M meta | grep -c '^c[0-9]*=')/$(jls -j $M env | grep -c '^e[0-9]*=')" "16/16" \
	"16 concurrent jail -m meta.cN=N env.eN=N: every key lands"
run jail -m name=$M meta="$(printf 'c1=1\nc2=2')" meta.c3=3
is "$RC.$(jls -j $M meta)" "0.c3=3
c1=1
c2=2" "  the whole value with a key over it, in one update"
run jail -cm name=${M}x path=/ persist meta.k=v
is "$RC.$(jls -j ${M}x meta)" "0.k=v" "  jail -cm making the jail: keys of an empty value"
rm_jail ${M}x
is "$(jls -j $M -s all)" "$(jls -j $M -s)" "jls -s all: as jls -s"
run jls -j $M all
is "$RC.$OUT" "0.$(jls -j $M -h all | sed 1d)" "jls all: every parameter's value, as under jls -h all's header"
like "$(jls -j $M -h all | head -1)" "^devfs_ruleset dying enforce_statfs env interface ip4 ip6 jid meta name " "  which names them all"
# inside, the jail reads its own env as jid 0 (FreeBSD: sysctl
# security.jail.env), never its meta (FreeBSD hides it from the jail)
injail() { local j=$1; shift; run jexec "$j" /usr/bin/env -u VJAIL_RUNDIR -u VJAIL_CGROUP "$@"; }
run jail -m name=$M env=tier=web env.region=eu
injail $M "$INNER_BIN/jls" -j 0 env
is "$RC.$OUT" "0.region=eu
tier=web" "inside: jls -j 0 env reads the jail's own env"
injail $M /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups "$INNER_BIN/jls" -j 0 env.tier
is "$RC.$OUT" "0.web" "  any user in it may (a sysctl is readable by all), one key too"
injail $M "$INNER_BIN/jls" -j 0 meta meta.c1 name path
is "$RC.$OUT" '0."" "" 0 /' "attack: its meta is not shown to it, nor its name or path on the host"
injail $M "$INNER_BIN/jls" -j "$(jid_of $M)" meta
is "$RC.$ERR" "1.jls: jail $(jid_of $M) not found" "attack: nor by its own jid"
run jls -j 0 env
is "$RC.$ERR" "1.jls: jail \"0\" not found" "  on the host, jid 0 is no jail (FreeBSD)"
run jail -m name=$M meta=
is "$RC.$(jls -j $M meta)" "0.\"\"" "meta can be emptied by jail -m (jls prints \"\", FreeBSD)"
rm_jail $M
run jail -c name=$M path=/ persist
is "$(jls -j $M osrelease)" "$(uname -r | cut -c1-31)" "osrelease defaults to the host's"
rm_jail $M
for bad in "devfs_ruleset=65536|devfs_ruleset: 65536 out of range (0 to 65535)" \
	"osreldate=0|osreldate cannot be 0" "osrelease=|osrelease string must be 1-31 bytes long" \
	"env=$(printf 'a\tb')|env: invalid character in the value"; do
	run jail -c name=$M path=/ persist "${bad%%|*}"
	is "$RC.$ERR" "1.jail: ${bad#*|}" "refused: ${bad%%|*}"
done
check "  nothing made" jail_absent $M

# -p N: up to N jails at once, dependencies first; a failed dependency
# skips its dependents
P=$WORK/par.conf
PL=$WORK/par.log
: >"$PL"
{
	echo 'path = "/"; persist;'
	echo "exec.prestart = 'echo begin \$JNAME >>$PL; sleep 0.5; echo end \$JNAME >>$PL';"
	for j in p1 p2 p3 p4; do echo "${T}$j { }"; done
	echo "${T}p5 { depend = ${T}p1, ${T}p4; }"
	echo "${T}q1 { exec.prestart = false; }"
	echo "${T}q2 { depend = ${T}q1; }"
} >"$P"
run jail -f "$P" -p 2 -c ${T}p1 ${T}p2 ${T}p3 ${T}p4 ${T}p5
is "$RC" 0 "jail -p 2 -c of five jails"
most=$(awk '/^begin/ { n++; if (n > m) m = n } /^end/ { n-- } END { print m }' "$PL")
is "$most" 2 "  two at a time, never more"
like "$(tr '\n' ' ' <"$PL")" "end ${T}p4 .*begin ${T}p5" "  ${T}p5 after the jails it depends on"
run jail -f "$P" -p 0 -r ${T}p1 ${T}p2 ${T}p3 ${T}p4 ${T}p5
is "$RC" 0 "jail -p 0 -r of them (no limit)"
for j in p1 p2 p3 p4 p5; do check "  ${T}$j is gone" jail_absent ${T}$j; done
run jail -f "$P" -p 2 -c ${T}q2
is "$RC" 1 "a failed dependency fails the run"
like "$ERR" "jail: ${T}q2: skipped" "  and its dependent is skipped (FreeBSD's text)"
check "  neither runs" jail_absent ${T}q2
# without -p, jails at once as FreeBSD (its paralimit is unlimited), the
# output as one after the other: each jail's lines together, in order
: >"$PL"
run jail -f "$P" -c ${T}p1 ${T}p2 ${T}p3
is "$RC" 0 "without -p: several jails"
most=$(awk '/^begin/ { n++; if (n > m) m = n } /^end/ { n-- } END { print m }' "$PL")
is "$most" 3 "  at once (FreeBSD's default)"
is "$OUT" "${T}p1: created
${T}p2: created
${T}p3: created" "  their notes in order"
run jail -f "$P" -p 1 -r ${T}p1 ${T}p2 ${T}p3
is "$RC.$OUT" "0.${T}p1: removed
${T}p2: removed
${T}p3: removed" "  -p 1: one after the other"
{
	echo 'path = "/"; persist;'
	echo "${T}o1 { exec.poststart = 'sleep 0.3; echo one'; }"
	echo "${T}o2 { exec.poststart = 'echo two'; }"
	# a hook leaving a process that holds the output: jail(8) does not wait
	echo "${T}o3 { exec.prestart = '(while [ ! -e $WORK/go ]; do sleep 0.1; done) &'; }"
} >"$WORK/o.conf"
RUN_TIMEOUT=15 run jail -f "$WORK/o.conf" -c ${T}o1 ${T}o2 ${T}o3
touch "$WORK/go"
is "$RC.$OUT" "0.${T}o1: created
one
${T}o2: created
two
${T}o3: created" "  a hook's output stays with its jail's; one left running is not waited for"
run jail -f "$WORK/o.conf" -r ${T}o1 ${T}o2 ${T}o3

# a failed jail.conf jail: exit 1, FreeBSD's message
run jail -f "$C" -c ${T}nope
is "$RC.$ERR" "1.jail: \"${T}nope\" not found" "an unknown jail: exit 1"

done_testing
