# A kernel panic is detected, with its syzkaller-style title, and the
# reboot that panic=-1 makes of it ends the guest with status 2.
timeout 180

expect /^# $/
send "echo c > /proc/sysrq-trigger\n"
expect-crash /^kernel panic: sysrq triggered crash$/
exit 2
