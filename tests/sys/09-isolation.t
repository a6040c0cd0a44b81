#!/usr/bin/env bash
# Isolation between jails and from the host: hostname, processes, user ids,
# IPC, network stack, global sysctls, the host's mount table.
. "$(dirname "$0")/lib.sh"

A=${T}a
B=${T}b
host_hostname=$(hostname)
# the host's mounts, less /run/netns and registries (others' `ip netns add`
# and test runs on a shared box)
host_mounts() { grep -v " /run/vjail" /proc/self/mountinfo | grep -cv ' /run/netns/'; }
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
# the masks are locked: made in a copy of the table owned by the host's
# user namespace (their tmpfs the host's), then copied into the jail's,
# which locks every mount and flag (modules/fs.c)
run jexec $A sh -c 'umount /sys/firmware || umount /proc/driver'
isnt "$RC" 0 "attack: root in $A cannot unmount a mask"
run jexec $A sh -c 'mount -o remount,bind,rw /proc/driver || mount -o remount,bind,rw /sys/firmware'
isnt "$RC" 0 "attack: root in $A cannot remount a mask read-write"
# ... even where the mount calls' filter lets it try (allow.mount,
# enforce_statfs < 2): with the escape helper, one call at a time
E=$OPEN/escape
cp "$_vj_top/build/tests/escape" "$E" 2>/dev/null || echo "Bail out! make build/tests/escape"
chmod 755 "$E"
M=${A}m
run jail -q -c name=$M path=/ persist allow.mount allow.mount.tmpfs allow.mount.procfs enforce_statfs=1
is "$RC.$ERR" "0." "a jail allowed the mount calls, tmpfs and procfs ($M)"
run jexec $M sh -c "mkdir /dev/shm/m /dev/shm/n && mount -t tmpfs -o ro t /dev/shm/m"
is "$RC.$ERR" "0." "  control: its root mounts a read-only tmpfs of its own"
for op in remount-rw fspick-rw; do
	run jexec $M "$E" $op /dev/shm/m
	is "$OUT" OK "  control: $op works on its own tmpfs"
done
run jexec $M "$E" move /dev/shm/m /dev/shm/n
is "$OUT" OK "  control: move works on its own tmpfs"
run jexec $M "$E" umount /dev/shm/n
is "$OUT" OK "  control: umount works on its own tmpfs"
run jexec $M "$E" clone /dev/shm /dev/shm/n
is "$OUT" OK "  control: clone works on its own /dev/shm"
run jexec $M sh -c 'umount -l /dev/shm/n'
for d in /sys/firmware /proc/driver /proc/acpi /proc/keys; do
	[ -e "$d" ] || continue
	for op in remount-rw fspick-rw umount; do	# (move: below)
		[ $op = remount-rw ] && [ -f "$d" ] && continue	# (/dev/null: rw already)
		run jexec $M "$E" $op "$d"
		isnt "$OUT" OK "attack: $op on the mask over $d fails ($OUT)"
	done
done
for op in remount-rw umount; do
	run jexec $M "$E" $op /proc/sys
	isnt "$OUT" OK "attack: $op on the read-only /proc/sys fails ($OUT)"
done
run jexec $M "$E" clone /proc /dev/shm/n
isnt "$OUT" OK "attack: /proc cannot be bound without its masks ($OUT)"
run jexec $M sh -c 'mount -t proc p /dev/shm/n'
isnt "$RC" 0 "attack: root in $M cannot mount a new /proc without the masks"
run jexec $M sh -c 'mount --make-private /proc/driver && mount --make-shared /sys/firmware && umount /sys/firmware'
isnt "$RC" 0 "attack: a mask's propagation changed, it still cannot come off"
run jexec $M sh -c 'touch /proc/driver/x /sys/firmware/x; ls -A /proc/driver /sys/firmware /proc/acpi'
like "$ERR" "Read-only file system" "attack: nothing can be written through a mask"
is "$(echo "$OUT" | grep -cv ':$\|^$')" 0 "  and every mask is still empty" || diag "$OUT"
run jexec $M sh -c 'mount -o remount,bind,dev /'
isnt "$RC" 0 "attack: root in $M cannot remount its root with device nodes allowed"
run jexec $M sh -c "mount -t tmpfs t $WORK && umount $WORK"
is "$RC" 0 "  control: its root mounts and unmounts a tmpfs of its own"
rm_jail $M
# a jail that may have children keeps no masks: its child mounts a /proc
# of its own, and a masked grandchild gets locked masks
P=${A}p
mp=(allow.mount allow.mount.tmpfs enforce_statfs=1)
run jail -q -c name=$P path=/ persist children.max=2 "${mp[@]}"
run jail -q -c name=$P.c path=/ persist children.max=1 "${mp[@]}"
is "$RC.$ERR" "0." "control: a jail with children.max makes a child"
pdev=$(timeout 10 jexec $P stat -c %d /proc/self/ 2>/dev/null)
run jexec $P.c sh -c 'awk '\''$5 == "/proc"'\'' /proc/self/mountinfo | wc -l; stat -c %d /proc/self/'
set -- $OUT
ok "$([ "${1:-}" = 1 ] && [ -n "${2:-}" ] && [ "$2" != "${pdev:-}" ]; echo $?)" \
	"  which mounted a /proc of its own (device ${2:-?}, its parent's ${pdev:-?})"
run jail -q -c name=$P.c.g path=/ persist "${mp[@]}"
is "$RC.$ERR" "0." "control: the child makes a masked grandchild"
for d in /sys/firmware /proc/driver /proc/keys; do
	[ -e "$d" ] || continue
	to=/dev/shm/n; [ -f "$d" ] && to=/dev/shm/f
	run jexec $P.c.g sh -c "mkdir -p /dev/shm/n && touch /dev/shm/f && $E move $d $to"
	isnt "$OUT" OK "attack: move of the mask over $d fails, in a grandchild ($OUT)"
done
run jexec $P.c.g sh -c 'ls -A /sys/firmware; umount /sys/firmware; ls -A /sys/firmware'
is "$OUT" "" "attack: its root cannot take a mask off"
rm_jail $P

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
