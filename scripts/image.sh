#!/usr/bin/env bash
# `make image`: builds the container image from the Containerfile and smoke-tests it: start it,
# make the docs' GET, stop it. Uses docker when it runs here, else podman (set up as
# ../shared/containers.md says: runc, cgroupfs, a base image made locally when none can be
# pulled). Then proves the `make dist` tarball in a minimal Debian root without Swift.
# Prints the image size, the tarball size and the time from `run` to the first answer.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${IMAGE:-k2mock:$(cat VERSION)}
port=${SMOKE_PORT:-18080}
docs_token=0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q
docs_path=/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364
root=${DEBIAN_ROOT:-.build/bookworm-root}

milliseconds() { date +%s%3N; }

# A minimal Debian (bookworm) root from Debian's own packages: the image's base where no registry
# can be reached, and the clean machine the tarball must run on.
debian_root() {
    [ -x "$root/bin/sh" ] && return 0
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    debootstrap --variant=minbase bookworm "$root" "${mirror:-http://deb.debian.org/debian}" >/dev/null
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*   # as debian:bookworm-slim has none
}

if docker info >/dev/null 2>&1; then
    engine=(docker)
    build=(docker build)
    run=(docker run -d --rm -p "$port:8080")
else
    conf=$(mktemp)
    printf '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\n' > "$conf"
    export CONTAINERS_CONF=$conf
    engine=(podman --runtime runc --cgroup-manager=cgroupfs)
    if ! "${engine[@]}" image exists docker.io/library/debian:bookworm-slim; then
        if ! "${engine[@]}" pull -q docker.io/library/debian:bookworm-slim >/dev/null 2>&1; then
            echo "no registry: making debian:bookworm-slim from Debian's packages" >&2
            debian_root
            tar -C "$root" -c . | "${engine[@]}" import - localhost/bookworm-minbase:latest >/dev/null
            "${engine[@]}" tag localhost/bookworm-minbase:latest docker.io/library/debian:bookworm-slim
        fi
    fi
    # The docker format keeps HEALTHCHECK (OCI images have no such field).
    build=("${engine[@]}" build --format docker --network=host --pull=never)
    # Host networking: published ports were not tried with rootful podman here.
    run=("${engine[@]}" run -d --rm --network=host)
fi

# The release binary, stripped of its symbols (a third of its size), is what the image copies.
mkdir -p .build/image && strip -o .build/image/k2mock .build/release/k2mock
"${build[@]}" -q -t "$tag" -f Containerfile . >/dev/null
size=$("${engine[@]}" image inspect "$tag" --format '{{.Size}}')
echo "image $tag: $((size / 1000000)) MB"

started=$(milliseconds)
if [ "${engine[0]}" = docker ]; then
    id=$("${run[@]}" "$tag")
else
    id=$("${run[@]}" "$tag" --port "$port")
fi
trap '"${engine[@]}" stop -t 5 "$id" >/dev/null 2>&1 || true' EXIT
answer=
for _ in $(seq 1 200); do
    answer=$(curl -fsS -H "Authorization: Bearer $docs_token" "http://127.0.0.1:$port$docs_path" 2>/dev/null) && break
    sleep 0.05
done
first=$(($(milliseconds) - started))
[[ "$answer" == *'"status":"Processed"'* ]] || { echo "the image did not answer the docs' GET: $answer" >&2; "${engine[@]}" logs "$id" >&2; exit 1; }
echo "image: run to the first answered GET in ${first} ms"
user=$("${engine[@]}" exec "$id" id -u)
[ "$user" != 0 ] || { echo "the image runs as root" >&2; exit 1; }
"${engine[@]}" stop -t 5 "$id" >/dev/null
trap - EXIT
echo "image: answered the docs' GET as uid $user, stopped"

# The tarball on a clean Debian: no Swift, no -dev package.
[ -n "${SKIP_DIST:-}" ] && exit 0
scripts/dist.sh
tarball=$(ls -t dist/k2mock-"$(cat VERSION)"-linux-*.tar.gz | head -n1)
debian_root
rm -rf "$root/opt/k2mock"* && mkdir -p "$root/opt"
tar -C "$root/opt" -xzf "$tarball"
dir=$(basename "$tarball" .tar.gz)
if [ -e "$root/usr/lib/swift" ] || ls "$root"/usr/lib/x86_64-linux-gnu/libmicrohttpd* >/dev/null 2>&1; then
    echo "the Debian root is not clean: it has Swift or libmicrohttpd" >&2; exit 1
fi
# $ORIGIN (where bin/k2mock finds lib/) is read from /proc/self/exe.
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
chroot "$root" "/opt/$dir/bin/k2mock" validate "/opt/$dir/share/k2mock/scenarios/happy-path.yaml" >/dev/null
chroot "$root" "/opt/$dir/bin/k2mock" serve --port "$port" \
    --scenario "/opt/$dir/share/k2mock/scenarios/happy-path.yaml" >/dev/null 2>&1 &
chrooted=$!
trap 'kill $chrooted 2>/dev/null; umount "$root/proc" 2>/dev/null || true' EXIT
origin="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$origin/__admin/health" 2>/dev/null && break; sleep 0.05; done
# A payment whose callback goes out: the bundled libcurl must load (the receiver is not there).
curl -fsS -o /dev/null -H "Authorization: Bearer demo-token" -H "Content-Type: application/json" \
    -d '{"destination_type":"mobile_wallet","destination_reference":"c7f300c0-f1ef-4151-9bbe-005005aa3747","amount":{"currency":"KES","value":100},"_links":{"callback_url":"http://127.0.0.1:9/k2"}}' \
    "$origin/api/v1/payments"
curl -fsS -o /dev/null -d '{"seconds":30}' "$origin/__admin/clock/advance"
journal=$(curl -fsS "$origin/__admin/callbacks")
kill -TERM $chrooted && wait $chrooted
umount "$root/proc"
trap - EXIT
[[ "$journal" == *'nothing accepted the connection'* && "$journal" != *'could not be loaded'* ]] ||
    { echo "the tarball's callback did not go out through its libcurl: $journal" >&2; exit 1; }
echo "dist: $tarball ($(du -h "$tarball" | cut -f1)) served and sent a callback in a minimal Debian root without Swift"
