# lgtest's out-of-the-box boot: no kernel or initrd named, so Debian's cloud
# kernel (fetched into the cache on first use) boots lgtest's default
# initramfs, whose /init gives a busybox shell on the console: prompt "# "
# on a line of its own, no echo of what the script sends.
timeout 180
idle-timeout 60

expect "lgtest-boot-marker"
expect /^# $/
send "uname -r\n"
expect /^[0-9.]+-[0-9]+-cloud-amd64$/
send "cat /proc/cmdline\n"
# The qemu runner under TCG adds no_timer_check (see the README's cmdline).
expect /^console=ttyS0 panic=-1 sysrq_always_enabled( no_timer_check)?$/
expect-not /FAIL|Oops|Call Trace/
send "poweroff -f\n"
shutdown
