# SPDX-License-Identifier: MIT
# Shared by the bench scripts (sourced): needs B (build dir), N (repeat),
# W (work dir), here (bench/).

# median of N runs of "seconds maxrss_kb": prep is eval'ed before each run;
# a failed run stops the benchmark (timing a failure means nothing)
measure() { # prep cmd...
	local prep=$1; shift
	for _ in $(seq "$N"); do
		eval "$prep"
		/usr/bin/time -f '%e %M' -o "$W/t" "$@" >/dev/null 2>"$W/err" ||
			{ echo "bench: '$*' failed:" >&2; cat "$W/err" >&2; exit 1; }
		tail -n1 "$W/t"
	done | sort -n | awk -v n="$N" 'NR == int((n + 1) / 2)'
}

# the generated 25,000-entry repository (bench/run.sh's when it is there)
gen_repo() {
	local r=$B/bench/repo
	[ -f "$r/repodata/repomd.xml" ] || /usr/bin/python3 "$here/gen-repo.py" "$r" >/dev/null
	echo "$r"
}
