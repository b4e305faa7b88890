# Tests that must pass, on the tiny test guests (tests/guests/): they run
# in milliseconds even on a software KVM.
kernel ../../guests/bin/guest64.elf
mem 64
timeout 60
idle-timeout 20

test echo: expect, send, regex, expect-not
cmdline lgtest.action=echo
expect "echo: ready"
expect-not /FAIL|Oops/
send "hello world\n"
expect /hel+o w.rld/ timeout 10s
send "quit\n"
exit 0 timeout 10

test exit status arrives
cmdline lgtest.action=exit:7
expect "PASS: boot_params ok"
exit 7

test shutdown is status 0
kernel ../../guests/bin/guest.bzImage
shutdown

test expect-not window passes
cmdline lgtest.action=echo
expect "echo: ready"
expect-not "nothing like this" for 300ms
send "quit\n"
exit 0

test expected crash
cmdline lgtest.action=echo
expect "echo: ready"
send "Kernel panic - not syncing: planted by lgtest\n"
expect-crash /^kernel panic: planted by lgtest$/ timeout 10
send "quit\n"
exit 0
