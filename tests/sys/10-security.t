#!/usr/bin/env bash
# What a jail's root must not be able to do, and what entering a jail must
# not hand it: the host's files, the admin's terminal, host root running
# the jail's binaries, more child jails than its limit.
. "$(dirname "$0")/lib.sh"

J=${T}sec
run jail -q -c name=$J path=/ persist children.max=2
is "$RC.$ERR" "0." "made $J (path=/)"

# path=/ is the host's own root: never idmapped, so its files are nobody's
probe=/vjail-${T}-probe
run jexec $J touch $probe
isnt "$RC" 0 "jail root cannot create files in the host's /"
check "  and nothing appeared" test ! -e $probe
rm -f $probe
run jexec $J stat -c %U /etc/passwd
is "$OUT" nobody "the host's root-owned files are nobody's in the jail"
run jexec $J sh -c "echo x >>/etc/passwd"
isnt "$RC" 0 "jail root cannot append to the host's /etc/passwd"

# entering: a session of its own, no controlling terminal of the admin's
run jexec $J sh -c 'exec 3</dev/tty'
isnt "$RC" 0 "a jexec'd process has no controlling terminal (no TIOCSTI into the admin's)"
run jexec $J sh -c 'ls /proc/self/fd | wc -l'
is "$OUT" 4 "only stdin, stdout, stderr (and ls's own) are open in the jail"

# host root never runs the jail's files
run jexec -n mnt $J /bin/true
isnt "$RC" 0 "jexec -n mnt (without user) is refused"
like "$ERR" 'user and mount' "  saying why"
run jexec -n user,pid $J /bin/true
isnt "$RC" 0 "jexec -n user (without mnt) is refused: no host files for the jail's root"
run jexec -n net,uts $J hostname
is "$RC" 0 "jexec -n net,uts runs a host tool in the jail's stack"

# children.max bounds all descendants, and children get less than parents
inner() { local j=$1; shift; run jexec "$j" /usr/bin/env -u VJAIL_RUNDIR -u VJAIL_CGROUP "$@"; }
inner $J "$INNER_BIN/jail" -q -c name=k path=/ persist children.max=5
is "$RC" 1 "a child may not get children.max above its parent's"
like "$ERR" 'children\.max' "  the message names children.max"
inner $J "$INNER_BIN/jail" -q -c name=k path=/ persist children.max=1
is "$RC" 0 "a child with children.max=1 (below 2)"
inner $J "$INNER_BIN/jexec" k "$INNER_BIN/jail" -q -c name=g path=/ persist
is "$RC" 0 "a grandchild (the parent's 2nd descendant)"
inner $J "$INNER_BIN/jail" -q -c name=k2 path=/ persist
is "$RC.$ERR" "1.jail: prison limit exceeded" "a 3rd descendant exceeds the parent's children.max=2"
run jls -j $J children.cur
is "$OUT" 2 "children.cur counts all descendants"

# a child of a path=/ jail is not handed any of the host's tree either
J2=${T}sec2
run jail -q -c name=$J2 path=/ persist children.max=2
inner $J2 "$INNER_BIN/jail" -q -c name=u path=/usr persist mount.devfs=0 mount.procfs=0
is "$RC" 0 "a child of the path=/ jail on /usr"
inner $J2 "$INNER_BIN/jexec" u /bin/sh -c "echo x >/vjail-${T}-probe"
isnt "$RC" 0 "  its root cannot write the host's /usr"
check "  and nothing appeared" test ! -e /usr/vjail-${T}-probe
rm -f /usr/vjail-${T}-probe
inner $J2 "$INNER_BIN/jail" -q -r u
# a child cannot take the host's links through a parent without a stack
ip link add ${T}x type veth peer name ${T}y
inner $J2 "$INNER_BIN/jail" -q -c name=v path=/ persist vnet vnet.interface=${T}x
is "$RC" 1 "a vnet child of a jail sharing the host's stack gets no host link"
like "$ERR" 'vnet\.interface' "  the message names vnet.interface"
check "  and the link stayed on the host" ip link show ${T}x
ip link del ${T}x
rm_jail $J2

# inside the jail: the child is entered through the jail's own service
inner $J "$INNER_BIN/jexec" k hostname
is "$RC" 0 "jexec inside a jail enters its child"
inner $J "$INNER_BIN/jexec" "$(jid_of $J.k)" hostname
is "$RC" 0 "  by its jid too"
run jail -q -c name=${T}sib path=/ persist
for x in $J ${T}sib; do
	inner $J "$INNER_BIN/jexec" "$(jid_of $x)" hostname
	is "$RC.$OUT" "1." "attack: a jail's jexec by jid reaches no jail but its descendants ($x)"
done
rm_jail ${T}sib
inner $J "$INNER_BIN/jexec" "" hostname
is "$RC.$OUT" "1." "a jail's jexec of an empty name enters no child (not the first one listed)"
run jexec $J sh -c 'ls -l /dev/vjail'
like "$OUT" '^s' "the jail's service socket is in its own /dev"

# an interrupted jail -r is finished by the monitor
run jail -q -c name=${T}int path=/ persist
bg jexec ${T}int sh -c 'trap "" TERM; sleep 4'
check "a TERM-ignoring process runs" wait_for 3 procs_running ${T}int 'sleep 4$'
timeout -s INT 0.5 "$VJAIL_BIN/jail" -q -r stop.timeout=10 ${T}int
run jls -j ${T}int
isnt "$RC" 0 "a dying jail is hidden from jls"
dying_gone() { ! timeout 10 jls -d -j "$1" >/dev/null 2>&1; }
run jls -d -j ${T}int name
is "$OUT" "${T}int" "  but listed by jls -d while its process runs"
check "when the process ends, the monitor finishes the removal" wait_for 8 dying_gone ${T}int

rm_jail $J

# one jail(8) making two jails that differ in a bit only the filter
# enforces (allow.set_hostname, on by default as in FreeBSD; both keep
# CAP_SYS_ADMIN for the mount calls), the second depending on the first:
# made one after the other by one worker process, each gets its own
# filter (the last one compiled is kept in memory, by the rules' hash:
# never the other jail's), whichever is made first
for first in ${T}fa ${T}fb; do
	second=${T}fb want=$'set\nrefused'
	[ $first = ${T}fb ] && second=${T}fa want=$'refused\nset'
	cat >"$WORK/filters.conf" <<EOF
${T}fa { path = /; persist; allow.mount; allow.mount.tmpfs; enforce_statfs = 1;
	exec.start = "hostname ${T}fa && echo set || echo refused"; }
${T}fb { path = /; persist; allow.mount; allow.mount.tmpfs; enforce_statfs = 1;
	allow.set_hostname = 0;
	exec.start = "hostname ${T}fb 2>/dev/null && echo set || echo refused"; }
$second { depend = $first; }
EOF
	run jail -q -f "$WORK/filters.conf" -c $second
	is "$RC.$OUT" "0.$want" "$first, then $second in one run: the jail with allow.set_hostname sets it, the other is refused"
	run jexec ${T}fb hostname x
	isnt "$RC" 0 "  jexec: the one without allow.set_hostname is refused"
	run jexec ${T}fa hostname ${T}fa2
	is "$RC" 0 "  the one with it sets it (control)"
	run jail -q -f "$WORK/filters.conf" -r ${T}fa ${T}fb
done
done_testing
