# The runner cannot run these: each must end in verdict error.
mem 64
timeout 60

test missing kernel
kernel ../../guests/bin/no-such-kernel
exit 0

test not a kernel
kernel error.lgt
exit 0

test emulation failure
kernel ../../guests/bin/guest64.elf
cmdline lgtest.action=emulfail
exit 0
