#!/usr/bin/env bash
# jls: FreeBSD's columns, -N, -n, -s, -h, -q, -v, -c, -j, --libxo json.
. "$(dirname "$0")/lib.sh"

HDR='   JID  IP Address      Hostname                      Path'
HDRN=' JID             IP Address      Hostname                      Path'

run jls
is "$RC.$OUT" "0.$HDR" "jls with no jails prints only the header"

W=${T}web
mkroot "$WORK/web"
run jail -q -c name=$W path="$WORK/web" host.hostname=web.example persist
is "$RC" 0 "made $W"
jid=$(jid_of $W)

run jls
is "$OUT" "$HDR
$(printf '%6d  %-15.15s %-29.29s %.74s' "$jid" "" web.example "$WORK/web")" "jls: header and one row in FreeBSD's columns"
is "$RC.$ERR" "0." "  exit 0, nothing on stderr"

run jls -N
is "$OUT" "$HDRN
$(printf ' %-15s %-15.15s %-29.29s %.74s' "$W" "" web.example "$WORK/web")" "jls -N: the name in place of the jid"

run jls -j $W -q path
is "$RC.$OUT" "0.$WORK/web" "jls -j name -q path prints the path"
run jls -j $jid name
is "$RC.$OUT" "0.$W" "jls -j jid name prints the name"
run jls -j $W host.hostname path
is "$OUT" "web.example $WORK/web" "jls with two parameters prints both, space separated"
run jls -h -j $W name jid
is "$RC.$OUT" "0.name jid
$W $jid" "jls -h: a header line of parameter names, then the values"
run jls -j $W children.max
is "$OUT" "0" "children.max defaults to 0"

run jls -c -j $W
is "$RC.$OUT.$ERR" "0.." "jls -c -j: exit 0, silent, when the jail exists"
run jls -c -j ${T}nosuch
is "$RC.$OUT.$ERR" "1.." "jls -c -j: exit 1, silent, when it does not"
run jls -j ${T}nosuch
is "$RC" 1 "jls -j of a missing jail exits 1"
is "$ERR" "jls: jail \"${T}nosuch\" not found" "  with FreeBSD's message"
run jls -j $W nosuchparam
is "$RC" 1 "jls of an unknown parameter exits 1"
like "$ERR" 'nosuchparam' "  naming the parameter"

# -n: every parameter, name=value, booleans as name / noname
run jls -n -j $W
is "$RC" 0 "jls -n exits 0"
is "$(echo "$OUT" | grep -c .)" 1 "jls -n: one line per jail"
words=" $OUT "
for w in "jid=$jid" "name=$W" "host.hostname=web.example" "path=$WORK/web" persist nodying \
	"children.max=0" "children.cur=0" "parent=0" "vnet=inherit" 'host.domainname=""'; do
	ok "$([[ $words == *" $w "* ]]; echo $?)" "jls -n shows $w" || diag "$OUT"
done

# -s: writable parameters, in a form jail -c takes back
run jls -s -j $W
is "$RC" 0 "jls -s exits 0"
words=" $OUT "
for w in "name=$W" "host.hostname=web.example" "path=$WORK/web" persist; do
	ok "$([[ $words == *" $w "* ]]; echo $?)" "jls -s shows $w" || diag "$OUT"
done
for w in dying nodying children.cur= parent=; do
	ok "$([[ $words != *" $w"* ]]; echo $?)" "jls -s leaves out read-only ${w%=}" || diag "$OUT"
done
saved=$OUT
run jail -q -r $W
eval "run jail -q -c $saved"
is "$RC.$ERR" "0." "jail -c \$(jls -s) recreates the jail"
is "$(jls -j $W host.hostname path persist 2>&1)" "web.example $WORK/web true" "  with the same name, hostname, path, persist"
# whatever that made, start again from a known jail
rm_jail $W
[[ $saved =~ (^| )jid=([0-9]+) ]] && rm_jail "${BASH_REMATCH[2]}"
run jail -q -c name=$W path="$WORK/web" host.hostname=web.example persist

# -v
jid=$(jid_of $W)
run jls -v
is "$RC" 0 "jls -v exits 0"
is "$(echo "$OUT" | sed -n 1p)" '   JID  Hostname                      Path' "jls -v: FreeBSD's first header line"
is "$(echo "$OUT" | sed -n 2p)" '        Name                          State' "jls -v: second header line"
like "$OUT" "^$(printf '%6d  %-29.29s %s' "$jid" web.example "$WORK/web")\$" "jls -v: jid, hostname, path"
like "$OUT" "^$(printf '        %-29.29s %s' "$W" ACTIVE)\$" "jls -v: name and state ACTIVE"

# --libxo json: FreeBSD's shape
run jls --libxo json
is "$RC" 0 "jls --libxo json exits 0"
if command -v jq >/dev/null; then
	got=$(printf '%s' "$OUT" | jq -c . 2>&1)
else
	got=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), separators=(",", ":")))' 2>&1)
fi
is "$got" "{\"__version\":\"2\",\"jail-information\":{\"jail\":[{\"jid\":$jid,\"ipv4\":\"\",\"hostname\":\"web.example\",\"path\":\"$WORK/web\"}]}}" \
	"jls --libxo json: {__version, jail-information: {jail: [{jid, ipv4, hostname, path}]}}"

# truncation and quoting as FreeBSD does them
long=h123456789.123456789.123456789.example
deep=$WORK/$(printf 'd%.0s' {1..40})/$(printf 'e%.0s' {1..40})
mkdir -p "$deep" "$WORK/with space"
run jail -q -c name=${T}long path="$deep" host.hostname=$long persist
is "$RC" 0 "made a jail with a long hostname and path"
run jls
like "$OUT" "^ *$(jid_of ${T}long) {18}${long:0:29} ${deep:0:74}\$" "jls truncates the hostname to 29 and the path to 74 characters"
rm_jail ${T}long
run jail -q -c name=${T}sp path="$WORK/with space" persist
is "$RC" 0 "made a jail whose path has a space"
run jls -j ${T}sp -q path
is "$OUT" "'$WORK/with space'" "jls -q quotes a value with a space (single quotes: nothing expands)"
run jls -j ${T}sp path
is "$OUT" "$WORK/with space" "jls without -q does not"
run jls -j ${T}sp -q host.domainname
is "$OUT" '""' "jls -q prints an empty value as \"\""
rm_jail ${T}sp

# ip4.addr shows in the IP column, bare (no interface, no prefix)
if have_ipjail; then
	run jail -q -c name=${T}ip path=/ host.hostname=ip.example persist ip4.addr=192.0.2.7
	is "$RC.$ERR" "0." "made a jail with ip4.addr=192.0.2.7"
	run jls
	like "$OUT" "^ *$(jid_of ${T}ip)  192\.0\.2\.7 {7}ip\.example {20}/\$" "jls shows its address in the IP column"
	run jls -j ${T}ip ip4.addr
	is "$OUT" "192.0.2.7" "jls -j ip4.addr prints it"
	run jls -v -j ${T}ip
	like "$OUT" "^        192\.0\.2\.7\$" "jls -v lists it among the IP addresses"
	rm_jail ${T}ip
else
	skip "$_why" 5
fi

run jls name
is "$OUT" "$W" "jls name lists the one jail left"
rm_jail $W
run jls
is "$OUT" "$HDR" "after removal jls prints only the header"

done_testing
