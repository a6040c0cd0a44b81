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

run jail -r $A
is "$RC.$OUT.$ERR" "0.." "the thin jail is removed (jail -r NAME without jail.conf prints nothing: FreeBSD)"
check "  the host's /usr is as it was" test ! -e /usr/vjail-$T

done_testing
