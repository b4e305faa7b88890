#!/usr/bin/env bash
# Stock Linux uses every virtio device the launcher offers: boots the
# cloud kernel with the virtio modules and tests/boot/devices-init.sh,
# which exercises each device and prints "LGUEST-DEV <name> ok".
# Options are real-kernel.sh's (e.g. --runner, --log, -v).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
	sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
exec "$repo/tests/boot/real-kernel.sh" --name "stock Linux uses the virtio devices" \
	--init "$repo/tests/boot/devices-init.sh" \
	--module virtio_pci --module virtio-rng \
	--launcher-opt --rng \
	--expect "LGUEST-DEV rng ok" "$@"
