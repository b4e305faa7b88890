# The guest's exit status reaches the script: lgexit (tests/guests/bin/,
# in the default initramfs as /bin/lgexit) writes it to I/O port 0xf4,
# which the launcher (and the qemu runner's isa-debug-exit) makes its own.
timeout 180

expect /^# $/
send "lgexit 42\n"
exit 42
