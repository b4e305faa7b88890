# KTAP the guest prints becomes subtests of this test (in TAP, JUnit and
# JSON): a KUnit-style suite written to the kernel log (so every line has
# the printk timestamp) and a kselftest-style plan on the console.
timeout 180

expect /^# $/
send "k() { echo \"$1\" >/dev/kmsg; }\n"
send "k 'KTAP version 1'; k '1..1'; k '    KTAP version 1'; k '    # Subtest: lgtest_demo'; k '    1..3'\n"
# Wait for the prompt before typing on: input typed ahead is echoed (its
# newline) before the prompt, which then shares a line with the next
# command's first KTAP line and hides it from the KTAP parser.
expect /^# $/
send "k '    ok 1 adds'; k '    ok 2 subtracts'; k '    ok 3 divides # SKIP no FPU here'; k 'ok 1 lgtest_demo'\n"
expect /ok 1 lgtest_demo$/
send "printf 'TAP version 13\\n1..2\\nok 1 - /proc is mounted\\n' && test -e /proc/self && echo 'ok 2 - /proc/self exists'\n"
expect /^ok 2 - \/proc\/self exists$/
send "poweroff -f\n"
shutdown
