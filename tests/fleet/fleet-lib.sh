# Sourced by the fleet tests (docs/fleet.md): VMs of a real Debian 12 system
# (tests/fleet/image.sh) in qemu (TCG), each on a copy-on-write overlay of one
# image, reached over ssh and node_exporter through ports of 127.0.0.1 that
# qemu's user network forwards; the guests reach the host's 127.0.0.1 as 10.0.2.2.
FLEET_CACHE=${LPATCH_CACHE:-$HOME/.cache/lpatch}

# fleet_vm_start N RELEASE: boot VM N (ssh on 127.0.0.1:$((FLEET_PORT+10*N)),
# node_exporter on +1) from $FLEET_DIR/base.img with the cached kernel RELEASE.
# no_timer_check: on a loaded host the kernel's IO-APIC timer check fails in
# TCG ("IO-APIC + timer doesn't work!", a panic at 0.06 s; seen in the 3-VM run).
# The serial console goes to $FLEET_DIR/vmN.console, appended boot after boot
# (each begins with a "=== boot" line); systemd.show_status=auto puts a unit that
# holds the boot up there ("A start job is running for ..."). $FLEET_KERNEL_ARGS:
# more kernel parameters (systemd.log_level=debug systemd.log_target=console...).
fleet_vm_start() {
	local n=$1 rel=$2 img=$FLEET_CACHE/targets/$2/image/boot/vmlinuz-$2
	local initrd=$FLEET_CACHE/fleet/initrd.img-$2-$(basename "$("$TOP/tests/fleet/rootfs.sh")")
	local port=$((FLEET_PORT + 10 * n))
	[ -f "$FLEET_DIR/vm$n.qcow2" ] ||
		qemu-img create -q -f qcow2 -b "$FLEET_DIR/base.img" -F raw "$FLEET_DIR/vm$n.qcow2"
	printf '\n=== boot of VM %s (%s) at %s\n' "$n" "$rel" "$(date -u +%T)" >>"$FLEET_DIR/vm$n.console"
	qemu-system-x86_64 -accel tcg -m 640 -smp 1 -nographic -no-reboot \
		-kernel "$img" -initrd "$initrd" \
		-append "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=auto net.ifnames=1 no_timer_check ${FLEET_KERNEL_ARGS:-}" \
		-drive "file=$FLEET_DIR/vm$n.qcow2,if=virtio,format=qcow2,cache=unsafe" \
		-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22,hostfwd=tcp:127.0.0.1:$((port + 1))-:9100" \
		-device virtio-net-pci,netdev=n0 \
		-chardev "file,id=con0,path=$FLEET_DIR/vm$n.console,append=on" -serial chardev:con0 \
		-monitor none -display none \
		</dev/null >"$FLEET_DIR/vm$n.qemu" 2>&1 &
	echo $! >"$FLEET_DIR/vm$n.pid"
}
# fleet_ssh N COMMAND...: run COMMAND as root in VM N
fleet_ssh() {
	local n=$1; shift
	ssh -q -i "$FLEET_DIR/key" -p $((FLEET_PORT + 10 * n)) -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 -o BatchMode=yes root@127.0.0.1 "$@"
}
# fleet_console N: VM N's console since its last boot began
fleet_console() {
	awk '/^=== boot of VM/ { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' \
		"$FLEET_DIR/vm$1.console" | tr -d '\r' | tail -${2:-40}
}
# fleet_wait_up N [SECONDS]: VM N answers ssh
fleet_wait_up() {
	local n=$1 end=$(( $(date +%s) + ${2:-900} ))
	while [ "$(date +%s)" -lt "$end" ]; do
		kill -0 "$(cat "$FLEET_DIR/vm$n.pid")" 2>/dev/null ||
			{ fleet_console "$n"; fail "VM $n exited while booting"; }
		fleet_ssh "$n" true 2>/dev/null && return 0
		sleep 3
	done
	fleet_console "$n"
	fail "VM $n did not answer ssh within ${2:-900} s"
}
# fleet_power_off N: pull VM N's plug (SIGKILL of qemu: no shutdown at all)
fleet_power_off() {
	local pid; pid=$(cat "$FLEET_DIR/vm$1.pid")
	kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
}
# fleet_stop N: a clean shutdown of VM N
fleet_stop() {
	local pid; pid=$(cat "$FLEET_DIR/vm$1.pid")
	fleet_ssh "$1" systemctl poweroff >/dev/null 2>&1 || true
	for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
	kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
}
# fleet_metrics N: what node_exporter of VM N serves (lpatch's lines)
fleet_metrics() {
	curl -s --max-time 10 "http://127.0.0.1:$((FLEET_PORT + 10 * $1 + 1))/metrics" | grep '^lpatch_'
}
fleet_cleanup() {
	for f in "$FLEET_DIR"/vm*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done
	[ -n "${FLEET_HTTP_PID:-}" ] && kill "$FLEET_HTTP_PID" 2>/dev/null
	true
}
