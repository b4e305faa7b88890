# Crashes from fake-qemu.sh (lgtest.fake=crash-warn, crash-bug): under
# --repeat, the same crash from two tests and two rounds is one identity,
# listed with its count and tests in the summary and the JSON.
kernel ../../guests/bin/guest64.elf
timeout 30

test warns
cmdline lgtest.fake=crash-warn
expect "fake guest running"
exit 2

test warns too
cmdline lgtest.fake=crash-warn
expect "fake guest running"
exit 2

test hits a BUG
cmdline lgtest.fake=crash-bug
expect "fake guest running"
exit 2
