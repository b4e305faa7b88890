# The qemu runner's supervisor turns QEMU's QMP events and exit statuses
# into the launcher's exit statuses; fake-qemu.sh plays QEMU
# (lgtest run --runner qemu --qemu tests/harness/scripts/fake-qemu.sh).
kernel ../../guests/bin/guest64.elf
timeout 30

test power-off is status 0
cmdline lgtest.fake=poweroff
expect "fake guest running"
shutdown

test reset is status 2
cmdline lgtest.fake=reset
exit 2

test port 0xf4 value arrives
cmdline lgtest.fake=exit:42
exit 42

test port 0xf4 value 0 is not an error
cmdline lgtest.fake=exit:0
exit 0

test a paused guest is an error
cmdline lgtest.fake=stop
exit 0

test qemu failing to start is an error
cmdline lgtest.fake=early
exit 0
