#!/usr/bin/env bash
# The escape suite: what a hostile root in a jail (or in a child jail, or
# a host user) tries, each attack next to a control showing the same
# action works where it should, so that no test passes vacuously.
# Attacks are counted: "attack:" lines are attacks, "control:" their
# controls.  Issue 8 lists where each comes from.
. "$(dirname "$0")/lib.sh"

E=$OPEN/escape                      # the helper, reachable from path=/ jails
cp "$_vj_top/build/tests/escape" "$E" 2>/dev/null || echo "Bail out! make build/tests/escape"
chmod 755 "$E"
inner() { local j=$1; shift; run jexec "$j" /usr/bin/env -u VJAIL_RUNDIR -u VJAIL_CGROUP "$@"; }

# A root of the jail's own (idmapped), with busybox and the helper.
busyroot() {
	mkroot "$1"
	cp /bin/busybox "$E" "$1/bin/"
	for c in sh ls cat cp chmod ln mkdir rm echo id sleep tty; do ln -sf busybox "$1/bin/$c"; done
}
hostuid() { awk '/^Uid:/ { print $2 }' "/proc/$1/status"; }

# ------------------------------------------------ 1. a child takes over ----
P=${T}p
busyroot "$WORK/p"
busyroot "$WORK/p/c1"
busyroot "$WORK/p/c2"
run jail -c name=$P path="$WORK/p" persist children.max=2
is "$RC.$ERR" "0." "a parent jail with children.max=2"
run jail -c name=$P.c1 path="$WORK/p/c1" persist
run jail -c name=$P.c2 path="$WORK/p/c2" persist
is "$RC.$ERR" "0." "and two children"
up=$(hostuid "$(holder_pid $P)"); u1=$(hostuid "$(holder_pid $P.c1)"); u2=$(hostuid "$(holder_pid $P.c2)")
check "attack: a child's root is not its parent's root (host uids $up, $u1)" test "$u1" != "$up"
check "attack: nor its sibling's ($u1, $u2)" test "$u1" != "$u2"
check "control: both are ids of the parent's range, not the host's" \
	test "$u1" -gt "$up" -a "$u2" -gt "$up" -a "$up" -gt 0

# #!/proc/self/exe: entering must never leave the host's binary in reach
printf '#!/proc/self/exe\n' >"$WORK/p/c1/evil"
chmod 755 "$WORK/p/c1/evil"
sum=$(sha256sum <"$VJAIL_BIN/jexec")
run jexec $P.c1 /evil
unlike "$ERR$OUT" 'usage: jexec' "attack: a #!/proc/self/exe program does not get the host's jexec run in the jail"
is "$(sha256sum <"$VJAIL_BIN/jexec")" "$sum" "  and jexec is unchanged"
run jexec $P.c1 /bin/sh -c 'cat /proc/self/maps | grep -c memfd:vjail-exec; readlink /proc/self/exe'
is "$OUT" "0
/bin/busybox" "control: what runs is the jail's own program, nothing of the stub left"
rm_jail $P

# ------------------------------------------ 2. hooks and the admin's tty ----
H=${T}h
cat >"$WORK/h.conf" <<EOF
$H {
	path = "/"; persist;
	exec.prestart = "tty >$OPEN/h.host";
	exec.start = "tty >$OPEN/h.jail; ls -l /proc/self/fd/0 >>$OPEN/h.jail";
}
EOF
: >"$OPEN/h.host"; : >"$OPEN/h.jail"; chmod 666 "$OPEN"/h.*
run script -qec "$VJAIL_BIN/jail -f $WORK/h.conf -c $H" /dev/null
is "$RC" 0 "a jail.conf jail made on a terminal (script)"
like "$(cat "$OPEN/h.jail")" '^not a tty' "attack: an in-jail hook is not on the admin's terminal"
unlike "$(cat "$OPEN/h.jail")" '/dev/pts' "  nor has it as stdin"
like "$(cat "$OPEN/h.host")" '^/dev/pts/' "control: a host hook is (as FreeBSD's)"
rm_jail $H

# ------------------------------------------------------ 3. the keyring ----
K=${T}k
run jail -c name=$K path=/ persist
run jail -c name=${K}2 path=/ persist allow.keyring
secret=vjail-$T-secret
# the admin's session keyring holds a key; a jail must not find it
run setsid "$E" keyadd $secret hunter2
key=$OUT
run jexec $K "$E" keyfind $secret
is "$OUT" EPERM "attack: a jail cannot use the keyring (allow.keyring off)"
run jexec ${K}2 "$E" keyfind $secret
is "$OUT" ENOKEY "attack: with allow.keyring, the admin's keys are still not in its session keyring"
run jexec ${K}2 "$E" keyadd own data
like "$OUT" '^[0-9]+$' "control: with allow.keyring it has keys of its own"
rm_jail $K; rm_jail ${K}2

# ------------------------------------- 4. a child below a 0700 host dir ----
C=${T}c
mkdir -p "$OPEN/shut/d" "$OPEN/open/d"
chmod 700 "$OPEN/shut"; chmod 755 "$OPEN/open"
ln -sfn "$OPEN/shut/d" "$OPEN/link"
run jail -c name=$C path=/ persist children.max=2
inner $C "$INNER_BIN/jail" -c name=x path="$OPEN/shut/d" persist
is "$RC.$ERR" "1.jail: path: $OPEN/shut/d: Permission denied" \
	"attack: a path=/ jail cannot root a child below a 0700 host directory"
inner $C "$INNER_BIN/jail" -c name=x path="$OPEN/link" persist
is "$RC.$ERR" "1.jail: path: $OPEN/link: Too many levels of symbolic links" \
	"attack: nor through a symlink"
inner $C "$INNER_BIN/jail" -c name=x path="$OPEN/nothere" persist
is "$RC.$ERR" "1.jail: path: $OPEN/nothere: No such file or directory" \
	"  errors are the jail's own view"
inner $C "$INNER_BIN/jail" -q -c name=x path="$OPEN/open/d" persist
is "$RC.$ERR" "0." "control: below an open directory it can"
rm_jail $C

# ------------------------------------------- 5. setuid files for the host ----
S=${T}s
mkdir -p /tmp/vjail-test.$$.reach
busyroot /tmp/vjail-test.$$.reach/r
run jail -c name=$S path=/tmp/vjail-test.$$.reach/r persist
is "$RC" 1 "attack: a jail root other host users can reach is refused"
like "$ERR" 'host users other than root can reach it .*chmod 0700.*path\.reachable' "  saying why and what to do"
run jail -c name=$S path=/tmp/vjail-test.$$.reach/r persist path.reachable
is "$RC.$ERR" "0." "with path.reachable it is made"
run jexec $S sh -c 'cp /bin/escape /suid && chmod 4755 /suid && /suid euid'
is "$OUT" 0 "control: in the jail, its setuid-root program runs as its root"
out=$(setpriv --reuid=1000 --regid=1000 --clear-groups /tmp/vjail-test.$$.reach/r/suid euid 2>&1)
is "$out" 1000 "attack: a host user running it stays uid 1000 (the host sees the tree nosuid)"
cp "$E" "$OPEN/hostsuid"; chmod 4755 "$OPEN/hostsuid"
is "$(setpriv --reuid=1000 --regid=1000 --clear-groups "$OPEN/hostsuid" euid 2>&1)" 0 \
	"control: a host setuid-root program elsewhere does run as root (the test can tell)"
rm -f "$OPEN/hostsuid"
run jexec $S /bin/escape setfcap /bin/busybox
is "$OUT" EPERM "attack: the jail's root cannot set file capabilities"
cp "$E" "$OPEN/fcap"
is "$("$E" setfcap "$OPEN/fcap")" OK "control: host root can"
rm_jail $S
rm -rf /tmp/vjail-test.$$.reach

# ---------------------------------------------- 6. jls -s through eval ----
Q=${T}q
run jail -c name=$Q path=/ persist
run jexec $Q "$E" sethostname "x\$(touch $OPEN/pwned)"
is "$RC" 0 "the jail sets a hostname with \$(...) in it"
saved=$(jls -s -j $Q)
rm_jail $Q
eval "$VJAIL_BIN/jail -q -c $saved" 2>"$WORK/eval.err"
check "attack: eval of jls -s output runs nothing from the jail" test ! -e "$OPEN/pwned"
is "$(jls -j $Q host.hostname)" "x\$(touch $OPEN/pwned)" "control: the hostname round-trips as text"
rm_jail $Q

# ------------------------------------------- 7. exec.consolelog swapped ----
L=${T}l
busyroot "$WORK/l"
mkdir -p "$WORK/l/var/log"
echo victim >"$OPEN/victim"
cat >"$WORK/l.conf" <<EOF
$L {
	path = "$WORK/l"; persist;
	exec.consolelog = "$WORK/l/var/log/console";
	exec.start = "echo started";
	exec.stop = "echo stopping";
}
EOF
run jail -f "$WORK/l.conf" -c $L
is "$(cat "$WORK/l/var/log/console")" started "control: hook output goes to exec.consolelog"
run jexec $L sh -c "rm /var/log/console && ln -s $OPEN/victim /var/log/console"
run jail -f "$WORK/l.conf" -r $L
is "$(cat "$OPEN/victim")" victim "attack: a symlink the jail swaps in is not followed (the host file is untouched)"
like "$ERR" 'exec.consolelog' "  the failure names exec.consolelog"
rm_jail $L

# --------------------------------------------------- propagation ----
M=${T}m
mkdir -p "$WORK/shared"
mount -t tmpfs vjail-test "$WORK/shared" && mount --make-shared "$WORK/shared"
busyroot "$WORK/shared/r"
before=$(grep -c " $WORK/shared" /proc/self/mountinfo)
run jail -c name=$M path="$WORK/shared/r" persist
is "$RC.$ERR" "0." "a jail rooted on a shared mount"
is "$(grep -c " $WORK/shared" /proc/self/mountinfo)" "$before" \
	"attack: its /proc, /dev, /sys do not propagate into the host's mount table"
run jexec $M sh -c 'cat /proc/self/mountinfo | grep -c " /proc "'
is "$OUT" 1 "control: the jail has its /proc"
rm_jail $M
umount "$WORK/shared"

# --------------------------------------- registry input and identities ----
run jail -c name=${T}n path=/ persist vnet "vnet.link=a
b"
is "$RC" 1 "attack: a newline in a list parameter is refused"
like "$ERR" 'vnet\.link: invalid character' "  naming the parameter"
run jail -c name=${T}r path=/ persist
u1=$(hostuid "$(holder_pid ${T}r)"); j1=$(jid_of ${T}r)
rm_jail ${T}r
run jail -c name=${T}r jid=$j1 path=/ persist
u2=$(hostuid "$(holder_pid ${T}r)")
check "attack: the same jid again does not get the same host ids ($u1, $u2)" test "$u1" != "$u2"
rm_jail ${T}r

# a moved link the jail replaces with one of its own of the same index
V=${T}v
ip link add ${T}e0 type veth peer name ${T}e1
run jail -c name=$V path=/ persist vnet vnet.interface=${T}e0
idx=$(jexec $V cat /sys/class/net/${T}e0/ifindex)
run jexec $V sh -c "ip link del ${T}e0 && ip link add ${T}z index $idx type veth peer name ${T}z2"
is "$RC" 0 "the jail deletes the moved link and makes its own with index $idx"
rm_jail $V
check "attack: at removal, the jail's own link is not moved into the outer stack" \
	eval "! ip link show ${T}z >/dev/null 2>&1"
check "  nor under the moved link's name" eval "! ip link show ${T}e0 >/dev/null 2>&1"
ip link add ${T}e0 type veth peer name ${T}e1 2>/dev/null
run jail -c name=$V path=/ persist vnet vnet.interface=${T}e0
rm_jail $V
check "control: an untouched moved link comes back" ip link show ${T}e0
ip link del ${T}e0 2>/dev/null

# ------------------------------------------------ allow.* and securelevel ----
A=${T}a
run jail -c name=$A path=/ persist vnet
run jail -c name=${A}x path=/ persist vnet allow.mount allow.mount.tmpfs enforce_statfs=1 \
	allow.mlock allow.socket_af allow.namespaces allow.noset_hostname \
	allow.noreserved_ports allow.nounprivileged_proc_debug
is "$RC.$ERR" "0." "two jails: defaults, and every bit turned"
mkdir -p "$OPEN/mnt"
pair() {	# pair DESC OP ARGS... : attack on one jail, control on the other
	local desc=$1 want_a=$2 want_c=$3 ja=$4 jc=$5; shift 5
	run jexec "$ja" "$E" "$@"
	is "$OUT" "$want_a" "attack: $desc ($ja)"
	run jexec "$jc" "$E" "$@"
	is "$OUT" "$want_c" "control: $desc ($jc)"
}
pair "mount a tmpfs" EPERM OK $A ${A}x mount-tmpfs "$OPEN/mnt"
jexec ${A}x umount "$OPEN/mnt" 2>/dev/null
# /sys is vjail's, its flags locked (modules/fs.c): the mount calls
# allowed, its root still cannot make it writable, only its own mounts
run jexec $A "$E" remount-rw /sys
is "$OUT" EPERM "attack: remount /sys read-write ($A)"
run jexec ${A}x "$E" remount-rw /sys
is "$OUT" EPERM "attack: remount /sys read-write, the mount calls allowed (${A}x)"
run jexec ${A}x sh -c "mount -t tmpfs -o ro t $OPEN/mnt && $E remount-rw $OPEN/mnt; umount $OPEN/mnt"
is "$OUT" OK "control: remount a read-only tmpfs of its own read-write (${A}x)"
pair "lock memory" EPERM OK $A ${A}x mlock
pair "a vsock socket (to the hypervisor)" EAFNOSUPPORT OK $A ${A}x socket 40
is "$("$E" socket 40)" OK "control: the host has vsock"
pair "a network namespace of its own" EPERM OK $A ${A}x unshare-net
pair "set the hostname" EPERM OK ${A}x $A sethostname h
pair "bind port 80" EACCES OK ${A}x $A bind 80
bg jexec $A sleep 20
sleep 0.3
sp=$(jexec $A pgrep -x sleep)
run jexec ${A}x sh -c 'sleep 20 & sleep 0.2; '"$E"' ptrace $!'
is "$OUT" EPERM "attack: debug a process (allow.nounprivileged_proc_debug)"
run jexec $A "$E" ptrace "$sp"
is "$OUT" OK "control: the same in a jail with the default"
run jexec $A "$E" ptrace 1
is "$OUT" EPERM "attack: trace the holder (the jail's PID 1)"
pair "read the kernel's messages" EPERM EPERM $A ${A}x dmesg
is "$("$E" dmesg)" OK "control: the host root can"
run jexec $A "$E" initmod
is "$OUT" EPERM "attack: load a kernel module"
mkdir -p "$OPEN/ch" && chmod 777 "$OPEN/ch" && touch "$OPEN/marker"
run jexec $A sh -c "cd $OPEN/ch && $E chroot $OPEN/marker"
is "$OUT" escaped "control: a chroot in a path=/ jail sees the host's files (they are its root)"
busyroot "$WORK/cr"
touch "$WORK/host-marker"
run jail -c name=${T}cr path="$WORK/cr" persist
run jexec ${T}cr sh -c "cd /tmp && /bin/escape chroot $WORK/host-marker"
is "$OUT" contained "attack: chroot and .. out of an own root"
run jexec ${T}cr sh -c "cd /tmp && /bin/escape fdchroot $WORK/host-marker"
is "$OUT" contained "attack: the same keeping a directory descriptor"
run jexec ${T}cr sh -c "cd / && /bin/escape fdchroot /bin/escape"
is "$OUT" escaped "control: the trick does find what is in the jail"
rm_jail ${T}cr

# securelevel 3 freezes a vnet jail's network configuration
run jail -c name=${A}3 path=/ persist vnet securelevel=3
run jexec ${A}3 ip addr add 192.0.2.1/24 dev lo
isnt "$RC" 0 "attack: securelevel=3: no network configuration"
run jexec $A ip addr add 192.0.2.1/24 dev lo
is "$RC" 0 "control: the default securelevel may"
# a child never gets what its parent lacks
run jail -c name=${A}p path=/ persist children.max=1 allow.nomlock
inner ${A}p "$INNER_BIN/jail" -c name=k path=/ persist allow.mlock
is "$RC.$ERR" "1.jail: allow.mlock: the parent jail does not have it" \
	"attack: a child asking for a bit its parent lacks"
inner ${A}p "$INNER_BIN/jail" -q -c name=k path=/ persist
is "$RC.$ERR" "0." "control: a child without it"
run jls -j ${A}p.k allow.mlock
is "$OUT" false "  which inherited allow.nomlock"
run jail -c name=${A}s path=/ persist securelevel=2 children.max=1
inner ${A}s "$INNER_BIN/jail" -c name=k path=/ persist securelevel=1
is "$RC" 1 "attack: a child below its parent's securelevel"
# lowering a bit or raising securelevel reaches the descendants at once
run jail -c name=${A}q path=/ persist children.max=1 allow.mlock
inner ${A}q "$INNER_BIN/jail" -q -c name=k path=/ persist allow.mlock
is "$RC.$(jls -j ${A}q.k allow.mlock securelevel)" "0.true -1" "a child with allow.mlock, securelevel -1"
run jail -m name=${A}q allow.nomlock securelevel=2
is "$RC.$ERR" "0." "its parent updated: allow.nomlock securelevel=2"
is "$(jls -j ${A}q.k allow.mlock securelevel)" "false 2" "  the child has neither allow.mlock nor a lower securelevel now"
run jexec ${A}q.k "$E" mlock
is "$OUT" EPERM "attack: the child locks memory after its parent lost the right"
run jail -m name=${A}s allow.nomlock securelevel=3
is "$RC.$(jls -j ${A}s allow.mlock securelevel)" "0.false 3" "control: a jail without children updated the same way"
for j in $A ${A}x ${A}3 ${A}p ${A}s ${A}q; do rm_jail $j; done

# -------------------------------------------------- the classic rest ----
I=${T}i
run jail -c name=$I path=/ persist
run jail -c name=${I}2 path=/ persist
run jexec $I ipcmk -M 4096
id=$(echo "$OUT" | awk '{ print $NF }')
run jexec $I ipcs -m
like "$OUT" "$id" "control: a jail sees its own SysV shared memory"
run jexec ${I}2 ipcs -m
unlike "$OUT" "$id" "attack: another jail does not"
unlike "$(ipcs -m)" "$id" "  nor the host"
sleep 30 &
hp=$!
run jexec $I "$E" kill $hp
is "$OUT" ESRCH "attack: a jail cannot signal a host process"
check "  which still runs" kill -0 $hp
kill $hp
run jexec $I sh -c 'readlink /proc/self/cwd; ls /proc/self/fd'
is "$OUT" "/
0
1
2
3" "attack (CVE-2024-21626): an entered process has no host cwd or descriptor"
run jexec $I "$E" clone3
is "$OUT" ENOSYS "clone3 reads as absent in a jail (its flags are beyond seccomp)"
is "$("$E" clone3)" OK "control: the host has it"
rm_jail $I; rm_jail ${I}2

done_testing
