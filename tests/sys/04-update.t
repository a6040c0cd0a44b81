#!/usr/bin/env bash
# jail -m: update a running jail's writable parameters.
. "$(dirname "$0")/lib.sh"

W=${T}web
run jail -q -c name=$W path=/ host.hostname=web.example persist
is "$RC.$ERR" "0." "made $W"
jid=$(jid_of $W)
hp=$(holder_pid $W)

run jail -m name=$W host.hostname=www
is "$RC" 0 "jail -m host.hostname=www exits 0"
is "$OUT" "" "jail -m prints nothing (FreeBSD: a command-line jail)"
is "$ERR" "" "  nothing on stderr"
run jexec $W hostname
is "$OUT" www "jexec hostname then prints www"
run jls -j $W host.hostname
is "$OUT" www "jls shows www"
is "$(jid_of $W)" "$jid" "the jid did not change"
is "$(holder_pid $W)" "$hp" "the holder did not change (updated in place, not recreated)"

run jail -q -m jid=$jid host.hostname=by-jid.example
is "$RC.$OUT.$ERR" "0.." "jail -q -m jid=N updates by jid, silently"
run jexec $W hostname
is "$OUT" by-jid.example "  the hostname changed"

run jail -q -m name=$W children.max=3 host.domainname=example.org
is "$RC" 0 "jail -m several parameters at once"
is "$(jls -j $W children.max host.domainname 2>&1)" "3 example.org" "  both changed"
run jexec $W domainname
is "$OUT" example.org "  and the jail sees its domainname"

# a hostname changed from inside is what jls reports (read live)
run jexec $W hostname inside.example
is "$RC" 0 "root in the jail can set its hostname"
run jls -j $W host.hostname
is "$OUT" inside.example "jls reports the hostname set inside"
isnt "$(hostname)" inside.example "the host's hostname is untouched"

snapshot
run jail -m name=${T}nosuch host.hostname=x
is "$RC" 1 "jail -m of a missing jail exits 1"
is "$ERR" "jail: \"${T}nosuch\" not found" "  with FreeBSD's message"
no_trace ${T}nosuch

# persist -> nopersist on a jail with no process but the holder ends it
run jail -q -m name=$W nopersist
is "$RC" 0 "jail -m nopersist exits 0"
check "a jail with no process left goes away when it stops persisting" wait_for 3 jail_absent $W
check "its holder is gone" wait_for 2 pid_gone "${hp:-none}"
check "its cgroup is gone" wait_for 2 test ! -e "$VJAIL_CGROUP/$jid"

# ... but a child keeps it (the count of children is the lookup's)
P=${T}p
run jail -q -c name=$P path=/ persist children.max=1
run jail -q -c name=$P.k path=/ persist
run jail -q -m name=$P nopersist
is "$RC.$(jls -j $P persist)" "0.false" "jail -m nopersist of a jail whose child persists"
sleep 0.2
check "  the child keeps it" jail_exists $P
run jail -q -r $P.k
is "$RC.$ERR" "0." "  its child removed"
check "  it goes too" wait_for 3 jail_absent $P

done_testing
