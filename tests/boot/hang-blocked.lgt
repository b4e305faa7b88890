# A hang the kernel can explain.  The shell freezes a file system
# (ext2 on a loop device, over a file in /tmp) and writes to it: touch
# blocks in D state for good and the console goes quiet.  At the
# no-output timeout lgtest sends a BREAK and sysrq l, t, w (lgtest(1),
# HANGS); sysrq-w shows touch blocked, and its stack titles the hang.
# The hung task detector (120 s) stays out of it.  The no-output timeout
# is that of hang.lgt, for the same reasons.
timeout 180
idle-timeout 15
expect-verdict hang /^INFO: task hung in mnt_want_write$/

expect /^# $/
send "dd if=/dev/zero of=/tmp/disk bs=1M count=4 2>/dev/null && losetup /dev/loop0 /tmp/disk && mke2fs -q /dev/loop0 >/dev/null && mkdir /mnt && mount /dev/loop0 /mnt && fsfreeze --freeze /mnt && echo frozen\n"
expect /^frozen$/
send "touch /mnt/x\n"
expect "never printed"
