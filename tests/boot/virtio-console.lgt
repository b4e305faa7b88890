# With a virtio console (hvc0) the keyboard is that console's, not the
# serial port's (lguest(1) --virtio-console; the qemu runner's
# virtconsole): lgtest's default /init then runs its shell there, echo
# off as on ttyS0, while the kernel keeps ttyS0 for its own messages.
# Every byte typed reaches the guest, ^A too (a QEMU mux would take it
# as its escape: ^A x quits QEMU).
timeout 180
device virtio-console

expect "lgtest-boot-marker"
expect /^# $/
expect-not /echo|read -r/
send "tty\n"
expect /^\/dev\/hvc0$/
send "echo hello from hvc0\n"
expect /^hello from hvc0$/
send "read -r l; echo \"read ${#l} bytes\"\n"
send "a\x01xb\x01c\n"
expect /^read 6 bytes$/
send "poweroff -f\n"
shutdown
