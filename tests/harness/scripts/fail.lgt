# Each test here must fail, crash or hang, for the reason its name says.
kernel ../../guests/bin/guest64.elf
mem 64
timeout 60
idle-timeout 20

test wrong exit status
cmdline lgtest.action=exit:9
exit 7

test expect times out
cmdline lgtest.action=echo
expect "never printed" timeout 500ms

test expect-not sees its pattern
cmdline lgtest.action=echo
expect-not "echo: ready"
expect "never printed"

test guest stops while waiting
cmdline lgtest.action=exit:33
expect "never printed"

test crash fails a passing test
cmdline lgtest.action=echo
expect "echo: ready"
send "BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
expect "address"

test unexpected crash title
cmdline lgtest.action=echo
expect "echo: ready"
send "WARNING: CPU: 0 PID: 1 at lib/x.c:1 my_func+0x1/0x2\nCall Trace:\n"
send " my_func+0x1/0x2 lib/x.c:1\n my_caller+0x1/0x2\n"
expect-crash "kernel panic"

test no output hangs
cmdline lgtest.action=spin
idle-timeout 1
expect "never printed"

test overall timeout hangs
cmdline lgtest.action=spin
timeout 1
expect "never printed"
