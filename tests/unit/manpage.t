#!/usr/bin/env bash
# The manual's table of securelevel and allow.* is the code's (make man).
top=$(cd "$(dirname "$0")/../.." && pwd)
t=$top/build/tools/allowtable
echo "1..1"
if [ ! -x "$t" ]; then echo "not ok 1 - build/tools/allowtable is built (make check)"; exit 1; fi
want=$("$t")
got=$(sed -n '/^\.\\" BEGIN allow table/,/^\.\\" END allow table/p' "$top/man/jail.8")
if [ "$want" == "$got" ]; then
	echo "ok 1 - man/jail.8's allow table is what the code enforces"
else
	echo "not ok 1 - man/jail.8's allow table is what the code enforces (run make man)"
	diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
	exit 1
fi
