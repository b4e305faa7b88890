# KTAP a guest prints, and the boot marker: the echo guest prints back
# whatever the script sends, so the script plays the guest's part.
kernel ../../guests/bin/guest64.elf
mem 64
timeout 60
idle-timeout 20
cmdline lgtest.action=echo

test failed subtest fails the test
expect "echo: ready"
send "KTAP version 1\n1..2\n    KTAP version 1\n    1..1\n    ok 1 inner\nok 1 a\nnot ok 2 b\n"
expect "not ok 2 b"
send "quit\n"
exit 0

test ktap report only reports
ktap report
expect "echo: ready"
send "TAP version 13\n1..2\nok 1 - x # SKIP later\nnot ok 2 - y\n"
expect "not ok 2 - y"
send "quit\n"
exit 0

test boot marker is timed
boot-marker /^up at [0-9]+$/
expect "echo: ready"
send "lgtest-boot-marker\n"
send "up at 3\n"
expect "up at 3"
send "quit\n"
exit 0
