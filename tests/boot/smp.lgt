# SMP guests (lguest --cpus, qemu -smp): Linux sees every CPU, runs work
# pinned to each, takes CPU 1 offline and back, and a power-off, reboot or
# panic on an AP (CPU 1) ends the guest as it would on the BSP.  Run under
# every runner with the same verdicts (tests/run-all.sh).
timeout 600
idle-timeout 120

test nproc is 1 with cpus 1
cpus 1
expect /^# $/
send "nproc\n"
expect /^1$/
send "poweroff -f\n"
shutdown

test nproc is 2 with cpus 2
cpus 2
expect /^# $/
send "nproc\n"
expect /^2$/
send "poweroff -f\n"
shutdown

test nproc is 4 with cpus 4
cpus 4
expect /^# $/
send "nproc\n"
expect /^4$/
send "poweroff -f\n"
shutdown

test nproc is 8 with cpus 8
cpus 8
expect /^# $/
send "nproc\n"
expect /^8$/
send "poweroff -f\n"
shutdown

# Field 39 of /proc/self/stat is the CPU the process last ran on.
test a workload pinned to each CPU
cpus 4
expect /^# $/
send "for c in 0 1 2 3; do taskset -c $c sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo pinned '$c' ran on $(cut -d\" \" -f39 /proc/self/stat)' > /tmp/pin$c & done; wait; cat /tmp/pin0 /tmp/pin1 /tmp/pin2 /tmp/pin3\n"
expect /^pinned 0 ran on 0$/
expect /^pinned 1 ran on 1$/
expect /^pinned 2 ran on 2$/
expect /^pinned 3 ran on 3$/
expect-not /Oops|BUG:|WARNING:/
send "poweroff -f\n"
shutdown

test CPU 1 offline and back online
cpus 2
expect /^# $/
send "echo 0 > /sys/devices/system/cpu/cpu1/online; cat /sys/devices/system/cpu/online\n"
expect /^0$/
send "echo 1 > /sys/devices/system/cpu/cpu1/online; cat /sys/devices/system/cpu/online\n"
expect /^0-1$/
send "taskset -c 1 cut -d\" \" -f39 /proc/self/stat\n"
expect /^1$/
expect-not /Oops|BUG:|WARNING:/
send "poweroff -f\n"
shutdown

test poweroff from an AP
cpus 2
expect /^# $/
send "taskset -c 1 poweroff -f\n"
shutdown

test reboot from an AP
cpus 2
expect /^# $/
send "taskset -c 1 reboot -f\n"
exit 2

test a panic on an AP
cpus 2
expect /^# $/
send "taskset -c 1 sh -c 'echo c > /proc/sysrq-trigger'\n"
expect-crash /^kernel panic: sysrq triggered crash$/
exit 2
