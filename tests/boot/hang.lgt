# A guest that goes quiet is a hang, found by the no-output timeout: the
# shell runs a command that never ends and prints nothing.  expect-verdict
# makes that hang, at the last step and nowhere else, this test's pass.
# The no-output timeout is short to keep make test fast, yet about twice
# the longest quiet spell of a boot: launch to first console byte under
# lguest-nested took 2.6 s on an idle machine, 8 s on a 2-CPU one at load
# 7; boot messages then come about every second.
timeout 180
idle-timeout 15
expect-verdict hang

expect /^# $/
send "sleep 100000\n"
expect "never printed"
