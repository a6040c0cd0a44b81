#!/usr/bin/env bash
# Isolation between jails and from the host: hostname, processes, user ids,
# IPC, network stack, global sysctls, the host's mount table.
. "$(dirname "$0")/lib.sh"

A=${T}a
B=${T}b
host_hostname=$(hostname)
# the host's mounts, less /run/netns (others' `ip netns add` on a shared box)
host_mounts() { grep -v " $VJAIL_RUNDIR " /proc/self/mountinfo | grep -cv ' /run/netns/'; }
mounts_before=$(host_mounts)
run jail -q -c name=$A path=/ host.hostname=a.example persist
run jail -q -c name=$B path=/ host.hostname=b.example persist
is "$(jls name 2>&1 | tr '\n' ' ')" "$A $B " "made $A and $B"

# UTS
run jexec $A hostname
is "$OUT" a.example "$A has its hostname"
run jexec $B hostname
is "$OUT" b.example "$B has its own"
is "$(hostname)" "$host_hostname" "the host's hostname is untouched"

# processes
bg jexec $B sleep 31
jb=$BGPID
b_runs() { timeout 10 jexec $B ps ax 2>/dev/null | grep -q 'sleep 31$'; }
check "$B sees its own sleep 31 (the control)" wait_for 3 b_runs
run jexec $A ps ax
unlike "$OUT" 'sleep 31' "$A does not see $B's processes"
is "$(echo "$OUT" | tail -n +2 | grep -c .)" 2 "$A sees exactly its holder and ps, no host process" || diag "$OUT"
run jexec $A sh -c "test -e /proc/$$/status"
isnt "$RC" 0 "the test shell's host pid $$ does not exist in $A"
hp=$(holder_pid $A)
timeout 10 jexec $A cat /proc/1/cmdline >"$WORK/cmdline.jail" 2>/dev/null </dev/null
cat /proc/1/cmdline >"$WORK/cmdline.init"                 # (cmp would trust /proc's size 0)
cat "/proc/${hp:-none}/cmdline" >"$WORK/cmdline.holder" 2>/dev/null
check "PID 1 in $A is not the host's init" eval '! cmp -s "$WORK/cmdline.jail" "$WORK/cmdline.init"'
check "PID 1 in $A is its holder (same cmdline as the holder seen from the host)" \
	eval 'test -s "$WORK/cmdline.jail" && cmp -s "$WORK/cmdline.jail" "$WORK/cmdline.holder"'
sleep_host_pid=$(for p in $(jail_pids "$(jid_of $B)"); do
	[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "sleep 31 " ] && echo "$p"; done | head -1)
like "${sleep_host_pid:-}" '^[0-9]+$' "$B's jexec'd sleep is in $B's cgroup, seen from the host"
run jexec $A kill -0 "${sleep_host_pid:-1}"
isnt "$RC" 0 "$A cannot signal $B's process by its host pid"

# user ids: each jail its own shifted range
ma=$(timeout 10 jexec $A cat /proc/self/uid_map 2>/dev/null | awk '{ print $2 }')
mb=$(timeout 10 jexec $B cat /proc/self/uid_map 2>/dev/null | awk '{ print $2 }')
ok "$([ -n "$ma" ] && [ -n "$mb" ] && [ "$ma" != "$mb" ]; echo $?)" "$A and $B map root to different host uids ($ma, $mb)"
run jexec $A awk '/^Uid:/ { print $2 }' /proc/1/status
is "$OUT" 0 "the holder is root inside the jail"
hu=$( [ -n "$hp" ] && awk '/^Uid:/ { print $2 }' "/proc/$hp/status")
is "$hu" "$ma" "and runs as the mapped uid on the host"

# the registry, under a path=/ jail's root, is covered (by the masks'
# empty read-only tmpfs: modules/fs.c)
run jexec $A sh -c "ls -A $VJAIL_RUNDIR; touch $VJAIL_RUNDIR/x 2>&1"
like "$OUT" '^touch: .*Read-only file system$' "$A sees the registry empty, and cannot write there" || diag "$OUT"
ok "$([ -d "$VJAIL_RUNDIR/jails" ]; echo $?)" "  control: the host sees its jails there"

# a global sysctl is out of reach for the jail's root (write back its own value)
run jexec $A cat /proc/sys/kernel/core_pattern
is "$RC.$OUT" "0.$(cat /proc/sys/kernel/core_pattern)" "root in $A can read kernel.core_pattern (the control)"
run jexec $A sh -c 'cat /proc/sys/kernel/core_pattern > /proc/sys/kernel/core_pattern'
isnt "$RC" 0 "root in $A cannot write kernel.core_pattern"

# SysV IPC
if command -v ipcmk >/dev/null; then
	run jexec $A ipcmk -M 4096
	id=$(echo "$OUT" | grep -oE '[0-9]+$')
	like "${id:-}" '^[0-9]+$' "$A made a SysV shared memory segment"
	key=$(timeout 10 jexec $A ipcs -m 2>/dev/null | awk -v id="${id:-x}" '$2 == id { print $1 }')
	like "${key:-}" '^0x[0-9a-f]+$' "$A sees it (key $key)"
	run jexec $B ipcs -m
	unlike "$OUT" "^${key:-none} " "$B does not"
	run ipcs -m
	unlike "$OUT" "^${key:-none} " "the host does not"
else
	skip "no ipcmk" 4
fi

# network: a shared-stack jail sees the host's links, a vnet jail its own
run ip link add ${T}h type veth peer name ${T}p
is "$RC" 0 "made a veth pair in the test's host stack"
V=${T}v
run jail -q -c name=$V path=/ host.hostname=v.example persist vnet=new
is "$RC" 0 "made vnet jail $V"
run jexec $A ip -o link show
like "$OUT" ": ${T}h[:@]" "$A (no vnet) sees the host's links"
run jexec $V ip -o link show
unlike "$OUT" "${T}[hp]" "$V (vnet) does not"
like "$OUT" '^1: lo:' "$V has its own lo"
run jexec $V ip link set lo up
is "$RC" 0 "root in $V can configure its own stack"
run jexec $A ip link set ${T}h down
isnt "$RC" 0 "root in $A cannot configure the host's links"
run ip -n $V -o link show lo
like "$OUT" 'UP' "the host sees $V's lo up through /run/netns/$V"
run ip link del ${T}h
is "$RC" 0 "removed the veth pair"

# masked kernel directories: one empty read-only tmpfs of the jail's,
# bound over each (modules/fs.c)
masked="/proc/acpi /proc/driver /sys/firmware /sys/kernel/debug /sys/kernel/security"
check "control: the host's /sys/firmware has entries" test -n "$(ls -A /sys/firmware)"
run jexec $A ls -A /sys/class
isnt "$RC.$OUT" "0." "control: $A lists an unmasked /sys directory"
run jexec $A sh -c "for d in $masked; do [ -d \$d ] && ls -A \$d; done"
is "$RC.$OUT" "0." "attack: $A reads nothing in the masked directories ($masked)"
run jexec $A sh -c 'mkdir /dev/shm/x && rmdir /dev/shm/x'
is "$RC" 0 "control: root in $A can make a directory in its own /dev/shm"
for d in $masked; do
	[ -d "$d" ] || continue
	run jexec $A mkdir "$d/vjail-x"
	isnt "$RC" 0 "attack: root in $A cannot make a directory in $d"
	check "  nor did it, seen from the host" test ! -e "$d/vjail-x"
done
run jexec $A cat /proc/self/mountinfo
ro=$(echo "$OUT" | awk -v m=" $masked " 'index(m, " " $5 " ") && $6 ~ /^ro,/ { print $3 }' | sort -u)
n=$(for d in $masked; do [ -d "$d" ] && echo "$d"; done | grep -c .)
is "$(echo "$OUT" | awk -v m=" $masked " 'index(m, " " $5 " ") && $6 ~ /^ro,/' | grep -c .).$(echo "$ro" | grep -c .)" \
	"$n.1" "the $n masks in $A are read-only mounts of one file system ($ro)"
# the masks are mounts of the jail's own: only the mount calls' filter
# keeps its root from taking them off or making them writable
run jexec $A sh -c 'umount /sys/firmware || umount /proc/driver'
isnt "$RC" 0 "attack: root in $A cannot unmount a mask"
run jexec $A sh -c 'mount -o remount,bind,rw /proc/driver || mount -o remount,bind,rw /sys/firmware'
isnt "$RC" 0 "attack: root in $A cannot remount a mask read-write"
run jail -q -c name=${A}m path=/ persist allow.mount allow.mount.tmpfs enforce_statfs=1
is "$RC.$ERR" "0." "a jail allowed to mount tmpfs (${A}m)"
run jexec ${A}m sh -c "mount -t tmpfs t $WORK && umount $WORK"
is "$RC" 0 "  control: its root mounts and unmounts a tmpfs of its own"
# known gap (from before the shared tmpfs: a tmpfs a mask had the same):
# the masks are made in the jail's own mount and user namespaces, so
# neither their flags are locked nor is their superblock the host's (its
# root can also fspick and reconfigure that tmpfs read-write: written
# through one mask, the file shows in every other)
todo_start "masks are not locked (made inside the jail's namespaces)"
run jexec ${A}m sh -c 'umount /sys/firmware; ls -A /sys/firmware'
is "$OUT" "" "attack: root in ${A}m cannot take the mask off /sys/firmware"
todo_end
rm_jail ${A}m

# masked kernel files: a bind of /dev/null where the jail's root could
# open the file, else the kernel's own check (the host's root owns them,
# unmapped in the jail, so no capability overrides their mode)
kfiles="kcore keys key-users latency_stats timer_list timer_stats sched_debug kmsg kallsyms sysrq-trigger vmallocinfo slabinfo pagetypeinfo"
check "control: the host's root reads /proc/timer_list" eval 'head -c 1 /proc/timer_list | grep -q .'
run jexec $A sh -c 'head -c 1 /proc/version'
is "$RC.$OUT" "0.L" "control: root in $A reads an unmasked /proc file"
for f in $kfiles; do
	[ -f "/proc/$f" ] || continue
	run jexec $A sh -c "head -c 64 /proc/$f 2>/dev/null; echo end"
	is "$OUT" "end" "attack: root in $A reads nothing of /proc/$f ($(stat -c %A "/proc/$f"))"
done
if [ -f /proc/sysrq-trigger ]; then
	run jexec $A sh -c 'echo h > /proc/sysrq-trigger'
	isnt "$RC" 0 "attack: root in $A cannot write /proc/sysrq-trigger"
fi
run jexec $A cat /proc/self/mountinfo
for f in $kfiles; do
	[ -f "/proc/$f" ] || continue
	m=$(echo "$OUT" | awk -v p="/proc/$f" '$5 == p' | grep -c .)
	case $(stat -c %a "/proc/$f") in
	?00) is "$m" 0 "  /proc/$f (shut to others) needs no mask" ;;
	*) is "$m" 1 "  /proc/$f (open to others) is masked" ;;
	esac
done

# no per-jail mount in the host's table
is "$(host_mounts)" "$mounts_before" "the host's mount table did not grow with three jails"
unlike "$(cat /proc/self/mountinfo)" "$T" "  and names none of them"

rm_jail $A; rm_jail $B; rm_jail $V
check "the jexec'd sleep in $B ended with $B" wait_for 2 pid_gone $jb
done_testing
