#!/usr/bin/env bash
# Builds the two images of docker/Dockerfile, runs them and checks them (issue 20). Run as root from
# anywhere: bash scripts/docker-check.sh   (.ci/run runs it after the tests).
#
#   1. a Docker engine (scripts/docker-engine.sh), compose v1 and v2, buildx and systemd-analyze
#      (scripts/docker-tools.sh), the base image node:20-bookworm-slim (scripts/docker-base-image.sh:
#      debootstrap + this machine's Node, cached);
#   2. the CA that verifies the npm registry's chain here (a TLS-inspecting proxy's), found in
#      /etc/ssl/certs, handed to `npm ci` as a BuildKit secret; builds both targets;
#   3. the images: worker <= 200 MB without the server's packages, build tools or leftovers; server
#      without dev dependencies; the CA in neither (history, config, layers); a build whose npm ci
#      cannot reach the registry fails at that step;
#   4. with host networking (the engine here has no bridge) against MariaDB on 127.0.0.1:3306 (a
#      database and user of its own) and a private redis-server: a server on a non-default port and
#      one on HTTPS turn healthy; a worker connects with the native spawner; every process is non-root;
#      a job succeeds; `docker stop` with its defaults during a 30 s task ends the task `killed`
#      (recorded, not `lost`) and the worker exits 0 in time; no secret in `docker inspect`;
#   5. docker/docker-compose.yml: accepted by compose v1 and v2; the stack comes up in order with a
#      host-network override (scripts/docker-check/compose.hostnet.yml);
#   6. docker/systemd/cronfleet-worker.service: systemd-analyze verify, graces that fit its stop timeout.
#
# Prints each check with its time and exits non-zero if any failed. Removes what it started (its
# containers, compose project, redis-server, database and user) on exit, and on a new run before it
# starts, so it is safe to run again. Images, the base image's cache and build cache are kept.
# Environment: CRONFLEET_DOCKER_CHECK_MYSQL (default mysql://root@127.0.0.1:3306, no password).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

P=cronfleet-check                      # prefix of containers, images, compose project
SERVER_IMAGE=cronfleet:check
WORKER_IMAGE=cronfleet-worker:check
DB=cronfleet_dockercheck
DB_USER=cronfleet_dockercheck
MAX_WORKER_MB=200
started_all=$SECONDS
work=$(mktemp -d /tmp/cronfleet-docker-check.XXXXXX)
redis_pid=""
passed=0
failed=0
failures=()

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }
die() { printf 'docker-check: error: %s\n' "$*" >&2; exit 1; }

# check NAME COMMAND...: runs COMMAND, prints "ok" or "FAIL" with NAME and its seconds; never exits.
check() {
  local name=$1 t0=$SECONDS out rc=0
  shift
  out=$("$@" 2>&1) || rc=$?
  if ((rc == 0)); then
    passed=$((passed + 1))
    printf 'ok    %-68s %4ss%s\n' "$name" "$((SECONDS - t0))" "${out:+  ($out)}"
  else
    failed=$((failed + 1))
    failures+=("$name")
    printf 'FAIL  %-68s %4ss\n' "$name" "$((SECONDS - t0))"
    [[ -z $out ]] || printf '%s\n' "$out" | sed 's/^/      /' | tail -n 30
  fi
}

# wait_for SECONDS COMMAND...: COMMAND once a second until it succeeds; 1 when time runs out.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

mysql_url=${CRONFLEET_DOCKER_CHECK_MYSQL:-mysql://root@127.0.0.1:3306}
mysql_host=$(node -e 'const u=new URL(process.argv[1]);console.log(u.hostname)' "$mysql_url")
mysql_port=$(node -e 'const u=new URL(process.argv[1]);console.log(u.port||3306)' "$mysql_url")
mysql_admin=$(node -e 'const u=new URL(process.argv[1]);console.log(decodeURIComponent(u.username)||"root")' "$mysql_url")
sql() { MYSQL_PWD=$(node -e 'const u=new URL(process.argv[1]);console.log(decodeURIComponent(u.password))' "$mysql_url") \
  timeout 20 mariadb --protocol=tcp -h"$mysql_host" -P"$mysql_port" -u"$mysql_admin" -e "$1"; }

cleanup() {
  local rc=$?
  set +e
  docker ps -aq --filter "name=^$P-" | xargs -r docker rm -f >/dev/null 2>&1
  if [[ -f $work/compose-env ]]; then
    compose_v2 down -v --remove-orphans >/dev/null 2>&1
  fi
  docker volume ls -q --filter "label=com.docker.compose.project=$P" | xargs -r docker volume rm >/dev/null 2>&1
  [[ -z $redis_pid ]] || kill "$redis_pid" 2>/dev/null
  sql "DROP DATABASE IF EXISTS $DB; DROP DATABASE IF EXISTS ${DB}_compose;
       DROP USER IF EXISTS '$DB_USER'@'127.0.0.1'; DROP USER IF EXISTS '$DB_USER'@'localhost';" >/dev/null 2>&1
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------
step "1. engine, tools, base image"
[[ $(id -u) -eq 0 ]] || die "run as root (it installs packages and starts dockerd when they are missing)"
timeout 900 sh scripts/docker-engine.sh
timeout 900 bash scripts/docker-tools.sh
timeout 900 bash scripts/docker-base-image.sh node:20-bookworm-slim
# Leftovers of an interrupted run.
docker ps -aq --filter "name=^$P-" | xargs -r docker rm -f >/dev/null

# ---------------------------------------------------------------------------------------------------
step "2. the registry's CA, and the builds"
registry=$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)
registry_host=$(node -e 'console.log(new URL(process.argv[1]).hostname)' "$registry")
registry_port=$(node -e 'console.log(new URL(process.argv[1]).port || 443)' "$registry")
# The CA is the issuer of the last certificate the registry sends: /etc/ssl/certs/<issuer hash>.N,
# the one of those that verifies the chain. Only that certificate goes to the build.
ca=""
timeout 30 openssl s_client -connect "$registry_host:$registry_port" -servername "$registry_host" -showcerts \
  </dev/null 2>/dev/null | awk -v dir="$work" '/BEGIN CERT/{n++} n{print > (dir "/chain" n ".pem")}' || true
chain=("$work"/chain*.pem)
[[ -s ${chain[0]} ]] || die "could not read the certificate chain of $registry_host"
cat "${chain[@]:1}" >"$work/intermediates.pem" 2>/dev/null || : >"$work/intermediates.pem"
hash=$(openssl x509 -in "${chain[-1]}" -noout -issuer_hash)
for candidate in /etc/ssl/certs/"$hash".*; do
  [[ -e $candidate ]] || continue
  if openssl verify -CAfile "$candidate" -untrusted "$work/intermediates.pem" "${chain[0]}" >/dev/null 2>&1; then
    ca=$candidate
    break
  fi
done
[[ -n $ca ]] || die "no certificate in /etc/ssl/certs verifies $registry_host's chain (issuer hash $hash)"
cp "$ca" "$work/npm_ca.pem"
say "registry $registry_host: chain verified by $(readlink -f "$ca") ($(openssl x509 -in "$ca" -noout -subject))"
secret=(--secret "id=npm_ca,src=$work/npm_ca.pem")

build() { # build TARGET TAG [ARGS...]
  local target=$1 tag=$2
  shift 2
  timeout 1800 docker buildx build --progress plain --network host -f docker/Dockerfile \
    --target "$target" -t "$tag" "$@" . >"$work/build-$target.log" 2>&1 \
    || { tail -n 40 "$work/build-$target.log"; return 1; }
}
check "build the worker image ($WORKER_IMAGE)" build worker "$WORKER_IMAGE" "${secret[@]}"
check "build the server image ($SERVER_IMAGE)" build apiserver "$SERVER_IMAGE" "${secret[@]}"
for image in "$WORKER_IMAGE" "$SERVER_IMAGE"; do
  docker image inspect "$image" >/dev/null 2>&1 || { say "no $image: nothing more to check"; exit 1; }
done

# ---------------------------------------------------------------------------------------------------
step "3. the images"
mb() { docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%d", $1/1000000}'; }
worker_mb=$(mb "$WORKER_IMAGE")
server_mb=$(mb "$SERVER_IMAGE")
check "worker image is at most $MAX_WORKER_MB MB" eval "echo '$worker_mb MB (server image: $server_mb MB)'; ((worker_mb <= MAX_WORKER_MB))"

in_image() { docker run --rm -i --network none --entrypoint /bin/sh "$1" -c "$2"; }
# node-gyp's leftovers: objects, its makefiles and config under a build/ directory.
LEFTOVERS='\( -name obj.target -o -name "*.o" -o -name .deps -o -path "*/build/Makefile" -o -path "*/build/config.gypi" -o -name "*.target.mk" \)'
worker_contents() {
  # Nothing of the server, no compilers, no npm; the worker and its addon there.
  in_image "$WORKER_IMAGE" '
    bad=""
    for p in /app/node_modules/@nestjs /app/node_modules/typeorm /app/node_modules/better-sqlite3 \
      /app/node_modules/fastify /app/node_modules/vite /app/node_modules/typescript /app/node_modules/react \
      /app/apiserver /app/dashboard /usr/bin/g++ /usr/bin/gcc /usr/bin/make /usr/bin/python3 \
      /usr/local/bin/npm /usr/local/lib/node_modules/npm /usr/local/include/node; do
      [ ! -e "$p" ] || bad="$bad $p"
    done
    left=$(find / -xdev '"$LEFTOVERS"' -print 2>/dev/null | head -n 5)
    [ -z "$bad$left" ] || { echo "present:$bad $left"; exit 1; }
    test -f /app/worker/native/build/Release/cronfleet_spawn.node || { echo "no native spawner"; exit 1; }
    test -f /app/worker/dist/cli.js || { echo "no worker/dist/cli.js"; exit 1; }
    echo "$(ls /app/node_modules | wc -l) entries in node_modules"'
}
check "worker image: no server packages, build tools or leftovers" worker_contents
server_contents() {
  # Every package the lockfile marks dev-only is absent; no sources, compilers or leftovers; the server
  # alone (apiserver/bin/cronfleet-server.js), without the worker or the CLI.
  node -e 'const l = require("./package-lock.json");
    for (const [path, p] of Object.entries(l.packages)) if (path && p.dev === true) console.log(path)' >"$work/dev-only"
  [[ -s $work/dev-only ]] || { echo "the lockfile lists no dev-only package"; return 1; }
  in_image "$SERVER_IMAGE" '
    bad=""
    while read -r p; do [ ! -e "/app/$p" ] || bad="$bad $p"; done
    for p in /app/dashboard/src /app/apiserver/src /app/worker /app/cli /usr/bin/g++ /usr/bin/make; do
      [ ! -e "$p" ] || bad="$bad $p"
    done
    left=$(find /app -xdev '"$LEFTOVERS"' -print 2>/dev/null | head -n 5)
    [ -z "$bad$left" ] || { echo "present:$bad $left"; exit 1; }
    test -f /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node || { echo "no better-sqlite3 addon"; exit 1; }
    test -f /app/dashboard/dist/index.html || { echo "no dashboard"; exit 1; }
    test -f /app/apiserver/dist/server-cli.js || { echo "no apiserver/dist/server-cli.js"; exit 1; }' <"$work/dev-only" || return 1
  echo "none of the lockfile's $(wc -l <"$work/dev-only") dev-only packages"
}
check "server image: the server alone, no dev dependencies, sources or leftovers" server_contents
ca_nowhere() {
  # A line of the CA's base64 body, looked for in each image's history, config and every layer.
  local line image
  line=$(sed -n '3p' "$work/npm_ca.pem")
  [[ ${#line} -ge 40 ]] || { echo "CA too short to search for"; return 1; }
  for image in "$WORKER_IMAGE" "$SERVER_IMAGE"; do
    if docker history --no-trunc "$image" | grep -qF "$line" || docker image inspect "$image" | grep -qF "$line"; then
      echo "$image: the CA is in its history or config"; return 1
    fi
    if docker save "$image" | grep -aqF "$line"; then echo "$image: the CA is in a layer"; return 1; fi
  done
}
check "the registry's CA is in neither image (history, config, layers)" ca_nowhere
npm_ci_fails_fast() {
  # Without the CA the registry cannot be reached from a build here: npm ci must fail the build at its
  # own step. The no-CA build gets its own cache key (a build argument), so npm ci really runs.
  if NODE_EXTRA_CA_CERTS='' timeout 30 node -e "fetch(process.argv[1]).then(()=>process.exit(0),()=>process.exit(1))" "$registry" 2>/dev/null; then
    echo "skipped: the registry is reachable here without the CA"; return 0
  fi
  local log=$work/build-no-ca.log
  if timeout 900 docker buildx build --progress plain --network host -f docker/Dockerfile --target worker-deps \
    -t "$P-no-ca" --build-arg "NPM_CI_RERUN=no-ca-$(date +%s)" . >"$log" 2>&1; then
    echo "the build without the CA succeeded"; return 1
  fi
  grep -q 'docker/npm.sh: npm ci failed' "$log" || { echo "no 'npm ci failed' in the build output:"; tail -n 15 "$log"; return 1; }
  ! grep -q 'tsc: not found' "$log" || { echo "it failed later, at tsc"; return 1; }
  echo "failed at: $(grep -m1 -o 'npm error code [A-Z_]*' "$log")"
}
check "a build whose npm ci cannot reach the registry fails at npm ci" npm_ci_fails_fast
docker image rm "$P-no-ca" >/dev/null 2>&1 || true

# ---------------------------------------------------------------------------------------------------
step "4. server and worker, host networking, MariaDB and a private Redis"
free_port() { # free_port FIRST: the first port from FIRST on that nothing listens on
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}
redis_port=$(free_port 6391)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  --logfile "$work/redis.log" &
redis_pid=$!
wait_for 20 redis-cli -p "$redis_port" ping || die "redis-server on $redis_port did not answer"
db_password=$(openssl rand -hex 16)
sql "DROP DATABASE IF EXISTS $DB; DROP DATABASE IF EXISTS ${DB}_compose; CREATE DATABASE $DB;
     DROP USER IF EXISTS '$DB_USER'@'127.0.0.1'; DROP USER IF EXISTS '$DB_USER'@'localhost';
     CREATE USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$db_password';
     CREATE USER '$DB_USER'@'localhost' IDENTIFIED BY '$db_password';
     GRANT ALL ON $DB.* TO '$DB_USER'@'127.0.0.1'; GRANT ALL ON $DB.* TO '$DB_USER'@'localhost';
     GRANT ALL ON ${DB}_compose.* TO '$DB_USER'@'127.0.0.1'; GRANT ALL ON ${DB}_compose.* TO '$DB_USER'@'localhost';" \
  || die "cannot create database $DB and its user on $mysql_host:$mysql_port"

# Secrets as files (read by docker/entrypoint.sh as uid 1000), never in a container's config.
secrets=$work/secrets
install -d -m 0700 -o 1000 -g 1000 "$secrets"
admin_token=$(openssl rand -hex 24)
worker_token=$(openssl rand -hex 24)
secret_key=$(openssl rand -hex 32)
webhook_secret=$(openssl rand -hex 24)
printf '%s\n' "$admin_token" >"$secrets/admin_token"
printf '%s\n' "$worker_token" >"$secrets/worker_token"
printf '%s\n' "$secret_key" >"$secrets/secret_key"
printf '%s\n' "$webhook_secret" >"$secrets/webhook_secret"
printf '%s\n' "$db_password" >"$secrets/mysql_password"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cronfleet-check" \
  -keyout "$secrets/tls.key" -out "$secrets/tls.crt" >/dev/null 2>&1
chown 1000:1000 "$secrets"/*
chmod 0400 "$secrets"/*
all_secrets=("$admin_token" "$worker_token" "$secret_key" "$webhook_secret" "$db_password")

port=$(free_port 18931)
tls_port=$(free_port $((port + 1)))
secret_env=(-v "$secrets:/run/secrets:ro"
  -e CRONFLEET_ADMIN_TOKEN_FILE=/run/secrets/admin_token -e CRONFLEET_WORKER_TOKEN_FILE=/run/secrets/worker_token
  -e CRONFLEET_SECRET_KEY_FILE=/run/secrets/secret_key -e CRONFLEET_WEBHOOK_SECRET_FILE=/run/secrets/webhook_secret)
docker run -d --name "$P-server" --network host "${secret_env[@]}" \
  -e CRONFLEET_PORT="$port" -e CRONFLEET_HOST=127.0.0.1 \
  -e CRONFLEET_DB="mysql://$DB_USER@127.0.0.1:$mysql_port/$DB" -e CRONFLEET_DB_PASSWORD_FILE=/run/secrets/mysql_password \
  -e CRONFLEET_REDIS="redis://127.0.0.1:$redis_port" -e CRONFLEET_REDIS_PREFIX=cronfleet-dockercheck: \
  "$SERVER_IMAGE" >/dev/null
# A second server on HTTPS with its embedded SQLite: the health check must follow the scheme too.
docker run -d --name "$P-server-tls" --network host "${secret_env[@]}" \
  -e CRONFLEET_PORT="$tls_port" -e CRONFLEET_HOST=127.0.0.1 \
  -e CRONFLEET_TLS_CERT=/run/secrets/tls.crt -e CRONFLEET_TLS_KEY=/run/secrets/tls.key \
  "$SERVER_IMAGE" >/dev/null

health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1"; }
healthy_within() { # healthy_within SECONDS CONTAINER
  local deadline=$((SECONDS + $1)) status
  while ((SECONDS < deadline)); do
    status=$(health "$2")
    [[ $status == healthy ]] && { echo "healthy after $((SECONDS - t_start)) s"; return 0; }
    [[ $(docker inspect -f '{{.State.Running}}' "$2") == true ]] || break
    sleep 1
  done
  echo "status: $(health "$2")"
  docker inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$2" | tail -n 3
  docker logs --tail 15 "$2" 2>&1
  return 1
}
t_start=$SECONDS
check "HEALTHCHECK turns healthy: server on port $port (MariaDB, Redis)" healthy_within 120 "$P-server"
check "HEALTHCHECK turns healthy: server on https port $tls_port (SQLite)" healthy_within 60 "$P-server-tls"

api() { # api METHOD PATH [JSON]: the response body; fails on HTTP >= 400
  curl -sS --fail-with-body --max-time 10 -X "$1" "http://127.0.0.1:$port/api/v1$2" \
    -H @"$work/auth-header" -H 'Content-Type: application/json' ${3:+-d "$3"}
}
printf 'Authorization: Bearer %s\n' "$admin_token" >"$work/auth-header"
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=eval("("+s+")");console.log(eval(process.argv[1]))})' "$1"; }

docker run -d --name "$P-worker" --network host -v "$secrets:/run/secrets:ro" \
  -e CRONFLEET_WORKER_TOKEN_FILE=/run/secrets/worker_token \
  "$WORKER_IMAGE" --server "http://127.0.0.1:$port" --name dockercheck-worker --capacity 2 >/dev/null
worker_online() { api GET /workers | json 'v.items.filter(w=>w.name==="dockercheck-worker"&&w.status==="online").length' | grep -qx 1; }
check "worker connects and is online" wait_for 60 worker_online
native_spawner() { docker logs "$P-worker" 2>&1 | grep -o "capacity 2, spawn native" || { docker logs --tail 10 "$P-worker" 2>&1; return 1; }; }
check "worker starts tasks with the native spawner" native_spawner
non_root() {
  local c out n=0
  for c in "$P-server" "$P-server-tls" "$P-worker"; do
    [[ $(docker inspect -f '{{.Config.User}}' "$c") == node ]] || { echo "$c: Config.User is not node"; return 1; }
    out=$(docker top "$c" -eo pid,uid,args) || { echo "$c: docker top failed"; return 1; }
    out=$(tail -n +2 <<<"$out")
    [[ -n $out ]] || { echo "$c: no process"; return 1; }
    if awk '$2 == 0' <<<"$out" | grep -q .; then echo "$c runs as root:"; echo "$out"; return 1; fi
    n=$((n + $(wc -l <<<"$out")))
  done
  echo "$n processes, uid $(docker top "$P-worker" -eo pid,uid | awk 'NR > 1 {print $2}' | sort -u | tr '\n' ' ')"
}
check "every process in the containers is non-root" non_root

task_status() { api GET "/tasks/$1" | json 'v.status'; }
task_is() { [[ $(task_status "$1") == "$2" ]]; }
job_succeeds() {
  local job task
  job=$(api POST /cronjobs '{"name":"dockercheck-hello","schedule":"0 0 1 1 *","runner":"command","spec":{"command":"echo","args":["hello from the image"]}}' | json 'v.id') \
    && [[ -n $job ]] || { echo "could not create the job"; return 1; }
  task=$(api POST "/cronjobs/$job/run" '{}' | json 'v.taskId') && [[ -n $task ]] || { echo "could not run job $job"; return 1; }
  wait_for 60 task_is "$task" success || { echo "task $task: $(task_status "$task")"; return 1; }
  curl -sS --max-time 10 "http://127.0.0.1:$port/api/v1/tasks/$task/output" -H @"$work/auth-header" | grep -q 'hello from the image' \
    || { echo "task $task: output lacks the greeting"; return 1; }
  echo "job $job, task $task: success"
}
check "a job succeeds" job_succeeds

stop_loses_nothing() {
  local task t0 took code error
  # The worst case: a task that ignores SIGTERM (sh and its sleep), so the worker's stop grace runs
  # out and SIGKILL ends it: shutdown grace 3 s + stop grace 3 s, then the result is recorded.
  task=$(api POST /tasks '{"runner":"command","spec":{"command":"sh","args":["-c","trap \"\" TERM; sleep 30"]}}' | json 'v.taskId') \
    && [[ -n $task ]] || { echo "could not create the task"; return 1; }
  wait_for 30 task_is "$task" running || { echo "task $task never ran: $(task_status "$task")"; return 1; }
  t0=$(date +%s%N)
  docker stop "$P-worker" >/dev/null || { echo "docker stop failed"; return 1; }
  took=$((($(date +%s%N) - t0) / 1000000))
  code=$(docker inspect -f '{{.State.ExitCode}}' "$P-worker")
  wait_for 30 eval '[[ $(task_status '"$task"') != running ]]' || true
  status=$(task_status "$task")
  error=$(api GET "/tasks/$task" | json 'v.error && v.error.code')
  echo "docker stop took $took ms, exit code $code, task $task: $status ($error)"
  [[ $code == 0 && $status == killed && $error == WorkerShutdown ]] && ((took < 10000))
}
check "docker stop (defaults), 30 s task ignoring SIGTERM: exit 0, task killed" stop_loses_nothing
no_secret_in_inspect() {
  local c value
  for c in "$P-server" "$P-server-tls" "$P-worker"; do
    docker inspect "$c" >"$work/inspect.json"
    docker logs "$c" >"$work/logs.txt" 2>&1
    for value in "${all_secrets[@]}"; do
      grep -qF "$value" "$work/inspect.json" && { echo "$c: a secret is in docker inspect"; return 1; }
      grep -qF "$value" "$work/logs.txt" && { echo "$c: a secret is in its log"; return 1; }
    done
  done
  echo "3 containers, ${#all_secrets[@]} secrets"
}
check "no secret in docker inspect or the containers' logs" no_secret_in_inspect
docker rm -f "$P-server" "$P-server-tls" "$P-worker" >/dev/null 2>&1 || true

# ---------------------------------------------------------------------------------------------------
step "5. compose"
compose_dir=$work/compose
install -d -m 0700 -o 1000 -g 1000 "$compose_dir"
for s in admin_token worker_token webhook_secret mysql_root_password; do
  openssl rand -hex 24 >"$compose_dir/$s"
done
openssl rand -hex 32 >"$compose_dir/secret_key"
# The servers connect as the database user made above (the stand-in mysql service makes none).
printf '%s\n' "$db_password" >"$compose_dir/mysql_password"
chown 1000:1000 "$compose_dir"/*
chmod 0400 "$compose_dir"/*
compose_secrets=()
for s in admin_token worker_token secret_key webhook_secret mysql_password mysql_root_password; do
  compose_secrets+=("$(cat "$compose_dir/$s")")
done
{
  echo "CRONFLEET_SECRETS_DIR=$compose_dir"
  echo "CHECK_SERVER_IMAGE=$SERVER_IMAGE"
  echo "CHECK_WORKER_IMAGE=$WORKER_IMAGE"
  echo "CHECK_MYSQL_PORT=$mysql_port"
  echo "CHECK_MYSQL_HOST=$mysql_host"
  echo "CHECK_MYSQL_ADMIN=$mysql_admin"
  echo "CHECK_DB=${DB}_compose"
  echo "CHECK_REDIS_PORT=$redis_port"
  echo "CHECK_PORT_1=$(free_port 18941)"
  echo "CHECK_PORT_2=$(free_port 18951)"
} >"$work/compose-env"
compose_v1() { docker-compose -p "$P" --env-file "$work/compose-env" -f docker/docker-compose.yml "$@"; }
compose_v2() { docker compose -p "$P" --env-file "$work/compose-env" -f docker/docker-compose.yml \
  -f scripts/docker-check/compose.hostnet.yml "$@"; }
check "compose v1 ($(docker-compose version --short)) accepts docker-compose.yml" compose_v1 config -q
check "compose v2 ($(docker compose version --short)) accepts docker-compose.yml" \
  docker compose -p "$P" --env-file "$work/compose-env" -f docker/docker-compose.yml config -q
check "compose v1 accepts it with the host-network override" \
  docker-compose -p "$P" --env-file "$work/compose-env" -f docker/docker-compose.yml -f scripts/docker-check/compose.hostnet.yml config -q
stack_up() {
  # Up in dependency order, each waiting for the health of what it depends on (bounded by compose's
  # own --wait-timeout), then every service running and both workers online, each on its own server.
  timeout 300 docker compose -p "$P" --env-file "$work/compose-env" -f docker/docker-compose.yml \
    -f scripts/docker-check/compose.hostnet.yml up -d --no-build --wait --wait-timeout 240 >"$work/compose-up.log" 2>&1 \
    || { tail -n 20 "$work/compose-up.log"; compose_v2 ps -a; compose_v2 logs --tail 10; return 1; }
  local p1 p2 order
  p1=$(sed -n 's/^CHECK_PORT_1=//p' "$work/compose-env")
  p2=$(sed -n 's/^CHECK_PORT_2=//p' "$work/compose-env")
  compose_workers() { curl -sS --max-time 10 "http://127.0.0.1:$p1/api/v1/workers" -H "Authorization: Bearer $(cat "$compose_dir/admin_token")"; }
  wait_for 60 eval 'compose_workers | json "v.items.filter(w=>w.status===\"online\").length" | grep -qx 2' \
    || { echo "workers: $(compose_workers)"; return 1; }
  # worker-2 is connected to server-2: its log names that server's URL.
  compose_v2 logs worker-2 2>&1 | grep -q "connecting to http://127.0.0.1:$p2" || { echo "worker-2 is not on server-2"; return 1; }
  # Start order: server-2 only after server-1 was healthy (first passing probe), each worker only
  # after its own server was.
  docker inspect "$(compose_v2 ps -q server-1)" "$(compose_v2 ps -q server-2)" \
    "$(compose_v2 ps -q worker-1)" "$(compose_v2 ps -q worker-2)" >"$work/compose-inspect.json" || return 1
  node -e '
    const [s1, s2, w1, w2] = require(process.argv[1]);
    const started = (c) => Date.parse(c.State.StartedAt);
    const healthy = (c) => Date.parse(((c.State.Health && c.State.Health.Log) || []).find((l) => l.ExitCode === 0)?.End ?? NaN);
    const rules = [["server-2", s2, "server-1", s1], ["worker-1", w1, "server-1", s1], ["worker-2", w2, "server-2", s2]];
    const out = [];
    for (const [a, ca, b, cb] of rules) {
      const gap = (started(ca) - healthy(cb)) / 1000;
      if (!(gap >= 0)) { console.log(`${a} started before ${b} was healthy (${gap} s)`); process.exit(1); }
      out.push(`${a} ${gap.toFixed(1)} s after ${b} healthy`);
    }
    console.log(out.join(", ") + "; 2 workers online");' "$work/compose-inspect.json"
}
check "compose v2 brings the stack up with the host-network override" stack_up
compose_no_secret_in_inspect() {
  local c value n=0
  for c in $(compose_v2 ps -aq); do
    docker inspect "$c" >"$work/inspect.json"
    docker logs "$c" >"$work/logs.txt" 2>&1
    n=$((n + 1))
    for value in "${compose_secrets[@]}"; do
      grep -qF "$value" "$work/inspect.json" && { echo "$(docker inspect -f '{{.Name}}' "$c"): a secret is in docker inspect"; return 1; }
      grep -qF "$value" "$work/logs.txt" && { echo "$(docker inspect -f '{{.Name}}' "$c"): a secret is in its log"; return 1; }
    done
  done
  echo "$n containers"
}
check "no secret in docker inspect or logs of the compose stack" compose_no_secret_in_inspect
compose_v2 down -v --remove-orphans >/dev/null 2>&1 || true

# ---------------------------------------------------------------------------------------------------
step "6. systemd unit"
check "docker/systemd/cronfleet-worker.service: verify and graces" bash scripts/docker-check/systemd-unit.sh

# ---------------------------------------------------------------------------------------------------
printf '\ndocker-check: %s of %s checks passed in %s s' "$passed" "$((passed + failed))" "$((SECONDS - started_all))"
if ((failed)); then
  printf '; FAILED: %s\n' "$(IFS=';'; echo "${failures[*]}")"
  exit 1
fi
printf '\n'
