# For tests of `lpatch install --user` (sourced FIRST, before tests/lib.sh): the
# start-up hook is named in /etc/ld.so.preload, which every process on the host
# reads. These tests run in a mount namespace of their own (re-executed under
# unshare) with /etc an overlay of the host's, so that only the processes they
# start see the hook; other work on the host never does, whatever happens.
if [ -z "${LPATCH_TEST_PRIVATE_ETC:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (a mount namespace with a private /etc)" >&2; exit 77; }
	command -v unshare >/dev/null || { echo "SKIP: unshare (util-linux) is missing" >&2; exit 77; }
	LPATCH_TEST_PRIVATE_ETC=1 exec unshare --mount --propagation private bash "$0" "$@"
fi

# private_etc: /etc becomes a writable overlay (upper layer in $WORK); the store
# goes to $WORK/store. Checks that the host's /etc/ld.so.preload is another file.
private_etc() {
	HOST_PRELOAD=/proc/1/root/etc/ld.so.preload
	HOST_PRELOAD_BEFORE=$(cat "$HOST_PRELOAD" 2>/dev/null || echo "(none)")
	mkdir -p "$WORK/etc-up" "$WORK/etc-work"
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$WORK/etc-up,workdir=$WORK/etc-work" /etc ||
		skip "cannot mount an overlay on /etc in a private mount namespace"
	export LPATCH_ROOT="$WORK/store"
}

# host_untouched: the host's /etc/ld.so.preload is as it was
host_untouched() {
	[ "$(cat "$HOST_PRELOAD" 2>/dev/null || echo "(none)")" = "$HOST_PRELOAD_BEFORE" ] ||
		fail "the host's /etc/ld.so.preload changed"
}
