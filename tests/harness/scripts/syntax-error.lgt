# A broken script: lgtest must refuse it before running anything.
kernel ../../guests/bin/guest64.elf
expect "ok" timeout forever
