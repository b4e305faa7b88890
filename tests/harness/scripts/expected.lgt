# expect-verdict: a test meant to hang or fail passes when it does so at
# its last step; anywhere else, or passing, is reported.  The first two
# pass, the other three do not.
kernel ../../guests/bin/guest64.elf
mem 64
timeout 60
idle-timeout 20

test expected hang
cmdline lgtest.action=spin
idle-timeout 1
expect-verdict hang
expect "PASS: boot_params ok"
expect "never printed"

test expected fail
cmdline lgtest.action=echo
expect-verdict fail
expect "echo: ready"
expect "never printed" timeout 500ms

test hang expected but it passes
cmdline lgtest.action=echo
expect-verdict hang
expect "echo: ready"
send "quit\n"
exit 0

test hang before the last step
cmdline lgtest.action=spin
idle-timeout 1
expect-verdict hang
expect "never printed"
expect "not reached either"

test fail expected but it hangs
cmdline lgtest.action=spin
idle-timeout 1
expect-verdict fail
expect "never printed"
