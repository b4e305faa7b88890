# Under --repeat, with fake-qemu.sh's lgtest.fake=flaky:FILE appended,
# this test passes and fails in turn: a flaky test.
kernel ../../guests/bin/guest64.elf
timeout 30

test alternates
expect "fake guest running"
shutdown
