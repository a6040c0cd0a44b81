#!/usr/bin/env bash
# mount, mount.fstab: host paths mounted into a jail as FreeBSD's jail(8)
# does, built on the host (idmapped, flags locked) and attached in the
# jail's own mount table; thin jails sharing the host's /usr read-only;
# attacks through the mount point and the source, each with its control.
. "$(dirname "$0")/lib.sh"

# mounts of the host's table that name this run's files (other work on
# the machine may mount and unmount elsewhere meanwhile), but for the
# nosuid guard of a jail's path bound onto itself (modules/fs.c)
host_mounts() { grep -- "$WORK" /proc/self/mountinfo | awk '$4 != $5' | wc -l; }

# thin ROOT: an empty root whose /usr, /bin, /lib, /lib64 come from the host
thin() {
	local r=$1
	mkroot "$r"
	mkdir -p "$r/usr" "$r/lib" "$r/lib64" "$r/data" "$r/mnt"
	chmod 755 "$r"
}
thin_mounts() {
	local r=$1 d
	printf '\tmount = "/usr %s/usr nullfs ro";\n' "$r"
	for d in bin lib lib64; do
		printf '\tmount += "/%s %s/%s nullfs ro";\n' "$d" "$r" "$d"
	done
	printf '\tmount += "tmpfs %s/tmp tmpfs rw,size=1m,mode=1777";\n' "$r"
}

A=${T}a
RA=$WORK/a
thin "$RA"
mkdir -p "$RA/vj"
cp "$VJAIL_BIN/../examples/jailmount" "$INNER_BIN/" || echo "Bail out! make build/examples/jailmount"
mkdir -p "$WORK/data-a" && chown 1000:1000 "$WORK/data-a" && touch "$WORK/data-a/own" && chown 1000:1000 "$WORK/data-a/own"
C=$WORK/jail.conf
cat >"$C" <<EOF
$A {
	path = "$RA";
	persist;
	children.max = 10;
	# the strongest jail root: may use the mount calls (allow.mount)
	allow.mount;
	allow.mount.tmpfs;
	allow.mount.nullfs;
	enforce_statfs = 1;
$(thin_mounts "$RA")
	mount += "$WORK/data-a $RA/data nullfs rw";
	mount += "$INNER_BIN $RA/vj nullfs ro";
}
EOF
before=$(host_mounts)
run jail -f "$C" -c $A
is "$RC.$OUT.$ERR" "0.$A: created." "a thin jail: host's /usr, /bin, /lib read-only, tmpfs, a data directory"
is "$(jexec $A /bin/sh -c 'echo hello from $(hostname)' 2>&1)" "hello from $(hostname)" "  runs the host's /bin/sh from inside"
is "$(host_mounts)" "$before" "  the host's mount table did not grow" || diag "$(grep -- "$WORK" /proc/self/mountinfo)"
is "$(jexec $A stat -c %u:%g /usr/bin/ls /data/own 2>&1 | tr '\n' ' ')" "0:0 1000:1000 " \
	"  owners read right inside (idmapped): root's files are root's, 1000's are 1000's"
run jexec $A /bin/sh -c 'touch /data/by-root && setpriv --reuid=1000 --regid=1000 --clear-groups touch /data/by-1000'
is "$RC" 0 "  the jail's root and its uid 1000 write to the rw data directory"
is "$(stat -c %u:%g "$WORK/data-a/by-root" "$WORK/data-a/by-1000" 2>&1 | tr '\n' ' ')" "0:0 1000:1000 " \
	"  and on disk the files belong to the same ids (not to the jail's host range)"
run jexec $A /bin/sh -c 'touch /tmp/t && stat -c %u /tmp/t'
is "$RC.$OUT" "0.0" "  the tmpfs is writable and the jail's root owns what it makes there"

# attack: remount the shared /usr read-write and write to the host's /usr
run jexec $A /bin/sh -c 'touch /usr/vjail-'$T
isnt "$RC" 0 "attack: writing to the read-only /usr fails"
run jexec $A /bin/sh -c 'mount -o remount,bind,rw /usr && touch /usr/vjail-'$T
isnt "$RC" 0 "attack: the jail's root, allowed to mount, cannot remount /usr read-write (flags locked)"
check "  and the host's /usr has no new file" test ! -e /usr/vjail-$T
run jexec $A /bin/sh -c 'mkdir -p /tmp/own && mount -t tmpfs own /tmp/own && mount -o remount,bind,ro /tmp/own && mount -o remount,bind,rw /tmp/own && touch /tmp/own/x'
is "$RC" 0 "  control: it may remount a tmpfs of its own" || diag "$ERR"

# attack: a source the admin named, redirected by a symlink a host user
# planted in a directory that user owns: only root-owned symlinks are
# followed (Debian's /bin -> usr/bin above is one)
B=${T}b
RB=$WORK/b
thin "$RB"
ln -s /etc "$WORK/data-a/evil" && chown -h 1000:1000 "$WORK/data-a/evil"   # a host user's symlink
cat >"$WORK/b.conf" <<EOF
$B { path = "$RB"; persist; mount = "$WORK/data-a/evil $RB/mnt nullfs ro"; }
EOF
run jail -f "$WORK/b.conf" -c $B
is "$RC" 1 "attack: a source redirected by a user's symlink is refused"
like "$ERR" "^jail: $B: mount: .*evil: a symlink in it is not owned by root\$" "  naming why"
check "  and the create is undone" jail_absent $B
ln -s "$WORK/data-a" "$WORK/data-link"
cat >"$WORK/b.conf" <<EOF
$B { path = "$RB"; persist; mount = "$WORK/data-link $RB/mnt nullfs ro"; }
EOF
run jail -f "$WORK/b.conf" -c $B
is "$RC" 0 "control: a symlink root owns in the source is followed"
rm_jail $B

# attack: a mount point that is a symlink to a host path
mkdir -p "$WORK/hostdir"
ln -s "$WORK/hostdir" "$RB/link"
cat >"$WORK/b.conf" <<EOF
$B { path = "$RB"; persist; mount = "$WORK/data-a $RB/link nullfs ro"; }
EOF
before=$(host_mounts)
run jail -f "$WORK/b.conf" -c $B
is "$RC" 1 "attack: a mount point that is a symlink (to a host path) is refused"
like "$ERR" "^jail: $B: mount: /link: a symlink in the jail's tree is not followed\$" "  naming why"
check "  the create is undone" jail_absent $B
is "$(host_mounts)" "$before" "  nothing was mounted on the host"
check "  the host directory is untouched" test -z "$(ls -A "$WORK/hostdir")"

# attack: ".." in the mount point
cat >"$WORK/b.conf" <<EOF
$B { path = "$RB"; persist; mount = "$WORK/data-a $RB/mnt/../../hostdir nullfs ro"; }
EOF
run jail -f "$WORK/b.conf" -c $B
is "$RC" 1 "attack: \"..\" in a mount point is refused"
like "$ERR" 'mount: .*: "\." and "\.\." are not allowed in a mount point$' "  naming why"
check "  the create is undone" jail_absent $B
cat >"$WORK/b.conf" <<EOF
$B { path = "$RB"; persist; mount = "$WORK/data-a /elsewhere nullfs ro"; }
EOF
run jail -f "$WORK/b.conf" -c $B
is "$RC" 1 "a mount point outside the jail's path is refused"
like "$ERR" "mount: /elsewhere: not below the jail's path $RB\$" "  naming why"

# attack: a read-write bind of a directory host users can reach; the
# jail's root would leave a setuid-root program there for them to run
mkdir -p "$OPEN/shared"
chmod 755 "$OPEN/shared"
cat >"$WORK/b.conf" <<EOF
$B {
	path = "$RB"; persist;
$(thin_mounts "$RB")
	mount += "$OPEN/shared $RB/mnt nullfs rw";
}
EOF
run jail -f "$WORK/b.conf" -c $B
is "$RC" 1 "attack: a rw bind of a directory other host users can reach is refused"
like "$ERR" "^jail: $B: mount: $OPEN/shared: host users other than root can reach it through $OPEN, .* or set path.reachable\$" "  naming why and the way out"
check "  the create is undone" jail_absent $B
sed -i 's/ nullfs rw/ nullfs ro/' "$WORK/b.conf"
run jail -f "$WORK/b.conf" -c $B
is "$RC.$ERR" "0." "control: the same directory read-only is mounted"
rm_jail $B
sed -i 's/ nullfs ro/ nullfs rw/; s/persist;/persist; path.reachable;/' "$WORK/b.conf"
run jail -f "$WORK/b.conf" -c $B
is "$RC.$ERR" "0." "control: read-write with path.reachable (the admin's choice)"
run jexec $B /bin/sh -c 'echo x >/mnt/w'
is "$RC.$(stat -c %u "$OPEN/shared/w" 2>&1)" "0.0" "  the jail's root writes there, as root on disk"
rm_jail $B

# FreeBSD's texts for a short line; mount.fstab with comments and \040
cat >"$WORK/b.conf" <<EOF
$B { path = "$RB"; persist; mount = "/usr"; }
EOF
run jail -f "$WORK/b.conf" -c $B
is "$RC.$ERR" "1.jail: $B: mount: /usr: missing information" "a line of fewer than three fields: FreeBSD's message"
mkdir -p "$WORK/with space" && echo inside >"$WORK/with space/f"
cat >"$WORK/fstab" <<EOF
# a comment
$WORK/with\\040space $RB/mnt nullfs ro 0 0   # trailing comment

/usr $RB/usr nullfs ro
/lib $RB/lib nullfs ro
/lib64 $RB/lib64 nullfs ro
EOF
cat >"$WORK/b.conf" <<EOF
$B { path = "$RB"; persist; mount.fstab = "$WORK/fstab"; mount.fdescfs; }
EOF
run jail -f "$WORK/b.conf" -c $B
is "$RC.$ERR" "0." "mount.fstab: a file of fstab lines (comments, \\040)"
is "$(jexec $B /usr/bin/cat /mnt/f 2>&1)" "inside" "  mounted in order"
rm_jail $B

# attack: the jail's parent swaps a directory of the mount point for a
# symlink to / while the child is set up; the mount lands inside the
# child or fails, never on the host's tree
mkdir -p "$RA/kid/mnt"
run jail -c name=$A.k0 path="$RA/kid" persist mount="$WORK/data-a $RA/kid/mnt nullfs ro"
is "$RC.$ERR" "0." "control: a child jail of $A with a mount below $A's tree"
rm_jail $A.k0
bg jexec $A /bin/sh -c 'cd /kid; i=0; while [ $i -lt 100000 ]; do mv mnt m2; ln -s / mnt; rm mnt; mv m2 mnt; i=$((i+1)); done'
before=$(host_mounts)
landed=0 refused=0
for i in 1 2 3 4 5 6 7 8; do
	run jail -c name=$A.k$i path="$RA/kid" persist mount="$WORK/data-a $RA/kid/mnt nullfs ro"
	if [ "$RC" = 0 ]; then
		landed=$((landed + 1))
		rm_jail $A.k$i
	else
		refused=$((refused + 1))
	fi
done
ok "$([ $((landed + refused)) -eq 8 ]; echo $?)" "attack: a directory swapped during setup: $landed mounted, $refused refused"
is "$(host_mounts)" "$before" "  the host's mount table never changed"
check "  nothing appeared at the host's /own" test ! -e /own
kill "$BGPID" 2>/dev/null; wait "$BGPID" 2>/dev/null

# mount entries for a child, asked from inside the parent jail: its
# monitor builds them, the source resolved by the parent beneath its root
# with its root's rights, no symlink followed
# inner CMD...: CMD run in $A as a jailed admin would
inner() { run jexec $A /usr/bin/env -u VJAIL_RUNDIR -u VJAIL_CGROUP "$@"; }
mkdir -p "$RA/srv/sub" "$RA/nest/bin" "$RA/nest/mnt" "$RA/nest/tmp" "$RA/nest/dev" "$RA/nest/proc"
cp /bin/busybox "$RA/nest/bin/"
echo from-a >"$RA/srv/f"
chown 1000:1000 "$RA/srv/sub"
cat >"$RA/etc/nest.conf" <<EOF
k {
	path = /nest;
	persist;
	mount = "/srv /nest/mnt nullfs ro";
	mount += "tmp /nest/tmp tmpfs rw,size=1m";
}
EOF
inner /vj/jail -f /etc/nest.conf -c k
is "$RC.$OUT.$ERR" "0.k: created." "inside $A: a child with a nullfs of the parent's own directory and a tmpfs"
is "$(jexec $A.k /bin/busybox cat /mnt/f 2>&1)" "from-a" "  the child reads the parent's file"
is "$(jexec $A.k /bin/busybox stat -c %u:%g /mnt/f /mnt/sub 2>&1 | tr '\n' ' ')" "0:0 1000:1000 " \
	"  owners read right in the child (idmapped into its user namespace)"
run jexec $A.k /bin/busybox sh -c 'echo x >/mnt/w'
isnt "$RC" 0 "  the read-only mount is read-only for the child's root"
run jexec $A.k /bin/busybox sh -c 'echo x >/tmp/w && /bin/busybox stat -c %u /tmp/w'
is "$RC.$OUT" "0.0" "  the tmpfs is the child's"
rm_jail $A.k
# refused ENTRY TEXT DESC: a child with mount=ENTRY, asked from $A, fails
# with "mount: TEXT"
refused() {
	inner /vj/jail -c name=k path=/nest persist mount="$1"
	is "$RC.$ERR" "1.jail: k: mount: $2" "$3"
}
# a thin jail inside the thin jail: the parent passes on its own mounts
# (the host's /usr, /bin, /lib read-only), idmapped for the child
mkdir -p "$RA/thin/usr" "$RA/thin/bin" "$RA/thin/lib" "$RA/thin/lib64" "$RA/thin/tmp"
printf 't {\n\tpath = /thin;\n\tpersist;\n%s\n}\n' "$(thin_mounts /thin)" >"$RA/etc/thin.conf"
inner /vj/jail -f /etc/thin.conf -c t
is "$RC.$ERR" "0." "inside $A: a thin child of its own, from the parent's read-only mounts"
is "$(jexec $A.t /bin/sh -c 'echo hello; stat -c %u /usr/bin/ls' 2>&1 | tr '\n' ' ')" "hello 0 " \
	"  it runs the host's /bin/sh; root's files are the child's root's (idmapped)"
run jexec $A.t /bin/sh -c "touch /usr/vjail-$T"
isnt "$RC" 0 "attack: the child's root cannot write to the shared /usr"
rm_jail $A.t
# attack: the parent passes the host's /usr (its read-only mount entry) on
# read-write: its flags are locked
refused "/usr /nest/mnt nullfs rw" "/usr: setting its flags: Operation not permitted" \
	"attack: the parent passes on its read-only /usr read-write: refused (locked)"
check "  the host's /usr has no new file" test ! -e /usr/vjail-$T
ln -sfn / "$RA/srv/up"
refused "/srv/up/etc /nest/mnt nullfs ro" "/srv/up/etc: Too many levels of symbolic links" \
	"attack: a symlink the parent planted in the source is not followed"
refused "/srv/../../../../etc /nest/mnt nullfs ro" '/srv/../../../../etc: not an absolute path without "." or ".."' \
	"attack: \"..\" in the source is refused"
refused "/srv /srv nullfs ro" "/srv: not below the jail's path" \
	"attack: a mount point outside the child's path is refused, naming no host path"
refused "/dev/sda1 /nest/mnt ext4 ro" "ext4: not available inside a jail" \
	"attack: a file system a jail may not mount (a host disk) is refused"
check "  nothing is left" jail_absent $A.k
# attack: another jail's tree, a jail that is not a descendant
run jail -c name=${T}s path="$RB" persist
sj=$(jid_of ${T}s)
inner /vj/jailmount $sj /srv /mnt nullfs ro
is "$RC.$ERR" "1.jailmount: jail $sj not found" "attack: a mount into a jail that is not its descendant is refused"
inner /vj/jail -f /etc/nest.conf -c k
inner /vj/jailmount k /srv/sub /nest/tmp nullfs ro
is "$RC.$ERR" "0." "  control: one into its child by jail_mount"
is "$(jexec $A.k /bin/busybox stat -c %u /tmp 2>&1)" "1000" "  the child sees it"
rm_jail $A.k
rm_jail ${T}s
# without allow.mount.nullfs (FreeBSD: mount(8) in the jail fails)
run jail -m name=$A allow.mount.nullfs=0
inner /vj/jail -c name=k path=/nest persist mount="/srv /nest/mnt nullfs ro"
is "$RC.$ERR" "1.jail: k: mount: nullfs: Operation not permitted (the jail needs allow.mount, allow.mount.nullfs and enforce_statfs < 2)" \
	"without allow.mount.nullfs the parent may not pass a directory on"
run jail -m name=$A allow.mount.nullfs
inner /vj/jail -c name=k path=/nest persist mount="/srv /nest/mnt nullfs ro"
is "$RC.$ERR" "0." "  control: with it back, the same request works"
run jexec $A /usr/bin/setpriv --reuid=1000 --regid=1000 --clear-groups /usr/bin/env -u VJAIL_RUNDIR -u VJAIL_CGROUP /vj/jailmount k /srv /nest/tmp nullfs ro
is "$RC.$ERR" "1.jailmount: mount: Operation not permitted" "attack: a user of the parent jail other than root may not ask"
is "$(jexec $A.k /bin/busybox stat -c %u /tmp 2>&1)" "0" "  and the child's /tmp is still its tmpfs"
rm_jail $A.k

# attack: the parent swaps the source for a symlink to / (or another
# directory) while its monitor mounts it: the directory it resolved, or
# nothing
echo marker >"$RA/srv/sub/marker"
mkdir -p "$RA/decoy/sub" "$RA/sub"
echo decoy >"$RA/decoy/sub/marker"           # /srv/sub while /srv is the decoy
echo via-symlink >"$RA/sub/marker"           # /srv/sub through the symlink
bg jexec $A /bin/sh -c 'cd /; while [ ! -e /swap-stop ]; do mv srv s2; ln -s / srv; rm srv; mv decoy srv; mv srv decoy; mv s2 srv; done'
landed=0 refused=0 wrong=0
for i in 1 2 3 4 5 6 7 8; do
	inner /vj/jail -c name=s$i path=/nest persist mount="/srv/sub /nest/mnt nullfs ro"
	if [ "$RC" = 0 ]; then
		landed=$((landed + 1))
		case $(jexec $A.s$i /bin/busybox cat /mnt/marker 2>&1) in
		marker|decoy) ;;
		*) wrong=$((wrong + 1)) ;;
		esac
		rm_jail $A.s$i
	else
		refused=$((refused + 1))
	fi
done
touch "$RA/swap-stop"
wait "$BGPID" 2>/dev/null
is "$wrong" 0 "attack: the source swapped for a symlink during the request: $landed mounted the directory /srv/sub was, $refused refused, none through the symlink"

# a procfs entry in a jail whose /proc is masked (no children.max): the
# kernel makes no new procfs there (it would show what the masks hide),
# so the entry is the jail's own /proc, masks and locks with it
P=${T}p
mkdir -p "$OPEN/p/mnt"
run jail -c name=$P path=/ persist allow.mount allow.mount.tmpfs enforce_statfs=1 \
	mount="proc $OPEN/p/mnt procfs rw"
is "$RC.$ERR" "0." "a procfs entry in a masked jail is mounted"
run jexec $P sh -c "cat $OPEN/p/mnt/1/cmdline | tr '\\0' ' '; grep -c ' $OPEN/p/mnt/driver ' /proc/self/mountinfo"
is "$(echo $OUT)" "vjail-holder 1" "  the jail's own processes, its masks with them"
run jexec $P umount "$OPEN/p/mnt/driver"
isnt "$RC" 0 "attack: the entry's mask cannot be taken off"
# ... and the jail's own /proc is what the entry gets, never what its root
# put there instead: a tmpfs over /proc, then a procfs mount asked for
mkdir -p "$OPEN/p/mnt2"
run jexec $P sh -c 'mount -t tmpfs x /proc && mkdir /proc/1 && echo fake >/proc/1/cmdline'
is "$RC" 0 "the jail's root covers its /proc with a tmpfs of its own (it may)"
run "$VJAIL_BIN/../examples/jailmount" $P proc "$OPEN/p/mnt2" procfs rw
is "$RC.$ERR" "1.jailmount: mount: proc: Operation not permitted" \
	"attack: a procfs mount asked for then is refused, not that tmpfs"
run jexec $P umount /proc
run "$VJAIL_BIN/../examples/jailmount" $P proc "$OPEN/p/mnt2" procfs rw
is "$RC.$ERR" "0." "  once uncovered, the same request gets the jail's /proc (control)"
rm_jail $P

run jail -r $A
is "$RC.$OUT.$ERR" "0.." "the thin jail is removed (jail -r NAME without jail.conf prints nothing: FreeBSD)"
check "  the host's /usr is as it was" test ! -e /usr/vjail-$T

done_testing
