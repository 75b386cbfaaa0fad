#!/bin/bash
# Checks the "Backup and restore" commands of docs/operations.md: SQLite (.backup, VACUUM INTO and better-sqlite3's backup() while the
# server runs, restored with and without tokens.json) and MariaDB (mysqldump, restored with mysql into
# another database), each followed by a task that needs the restored secret and an export compared
# byte for byte. Needs sqlite3, mysqldump/mysql and MariaDB on 127.0.0.1:3306 (root, no password).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CF="node $ROOT/cli/bin/cronfleet.js"
W=$(mktemp -d /tmp/cronfleet-backup-check.XXXXXX)
export CRONFLEET_ADMIN_TOKEN=admin-backup-check-0123456789 CRONFLEET_WORKER_TOKEN=worker-backup-check-0123456789 CRONFLEET_HOST=127.0.0.1 CRONFLEET_LOG_FORMAT=json LOG_LEVEL=warn
SECRET=s3cret-$RANDOM$RANDOM
SHA=$(printf %s "$SECRET" | sha256sum | cut -c1-64)
cat > $W/job.yaml <<YAML
name: secret-check
schedule: "0 3 * * *"
runner: command
spec: { command: sh, args: ["-c", "test \"\$(printf %s \"\$API_TOKEN\" | sha256sum | cut -c1-64)\" = $SHA && echo secret-ok"] }
secretEnv: { API_TOKEN: "\${env:BK_SECRET}" }
YAML
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -TERM $p 2>/dev/null; done' EXIT
start() { # start DIR PORT [env...]
  local dir=$1 port=$2; shift 2
  (cd $dir && exec env "$@" $CF server --local-worker --port $port --data-dir $dir > $dir/server.log 2>&1) & PIDS+=($!)
  for i in $(seq 1 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
  export CRONFLEET_SERVER=http://127.0.0.1:$port
  for i in $(seq 1 100); do $CF workers ls 2>/dev/null | grep -q online && break; sleep 0.2; done
}
stop() { kill -TERM ${PIDS[-1]}; wait ${PIDS[-1]} || true; unset 'PIDS[-1]'; }
runjob() { local id; id=$($CF cronjobs run secret-check -o json | node -e 'process.stdin.on("data",d=>console.log(JSON.parse(d).taskId))'); for i in $(seq 1 100); do s=$($CF tasks get $id -o json | node -e 'let b="";process.stdin.on("data",d=>b+=d).on("end",()=>console.log(JSON.parse(b).status))'); case $s in success|failed|timeout|lost|killed) echo "task $id: $s"; return;; esac; sleep 0.2; done; echo "task $id: still $s"; }

echo "== SQLite"
mkdir -p $W/src $W/dst $W/dst2 $W/backup
start $W/src 18481
BK_SECRET=$SECRET $CF apply -f $W/job.yaml
runjob
$CF export > $W/before.yaml
# online, while the server runs:
sqlite3 $W/src/cronfleet.sqlite ".backup '$W/backup/cronfleet.sqlite'"
sqlite3 $W/src/cronfleet.sqlite "VACUUM INTO '$W/backup/cronfleet-vacuum.sqlite'"
(cd $ROOT/apiserver && node -e "new (require('better-sqlite3'))('$W/src/cronfleet.sqlite').backup('$W/backup/cronfleet-node.sqlite').then(() => console.log('better-sqlite3 backup ok'))")
echo "jobs in the better-sqlite3 backup: $(sqlite3 $W/backup/cronfleet-node.sqlite 'select name from cronjobs')"
cp $W/src/tokens.json $W/backup/tokens.json
sqlite3 $W/backup/cronfleet.sqlite "PRAGMA integrity_check"
stop
cp $W/backup/cronfleet.sqlite $W/backup/tokens.json $W/dst/
start $W/dst 18482
runjob
$CF export > $W/after.yaml; cmp $W/before.yaml $W/after.yaml && echo "export identical after .backup restore"
stop
cp $W/backup/cronfleet-vacuum.sqlite $W/dst2/cronfleet.sqlite; cp $W/backup/tokens.json $W/dst2/
start $W/dst2 18483
runjob
$CF export > $W/after2.yaml; cmp $W/before.yaml $W/after2.yaml && echo "export identical after VACUUM INTO restore"
stop
echo "== without tokens.json (the secret key): the secret cannot be opened"
mkdir -p $W/nokey; cp $W/backup/cronfleet.sqlite $W/nokey/
start $W/nokey 18484
runjob || true
stop
grep -io 'secret[^"]*' $W/nokey/server.log | head -3 || true

echo "== MariaDB"
KEY=$(openssl rand -hex 32)
mysql -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS cronfleet_e2e_bk_src; DROP DATABASE IF EXISTS cronfleet_e2e_bk_dst"
start $W/src 18485 CRONFLEET_DB=mysql://root@127.0.0.1:3306/cronfleet_e2e_bk_src CRONFLEET_SECRET_KEY=$KEY
BK_SECRET=$SECRET $CF apply -f $W/job.yaml
runjob
$CF export > $W/mbefore.yaml
mysqldump -h127.0.0.1 -uroot --single-transaction --routines --triggers cronfleet_e2e_bk_src > $W/backup/cronfleet.sql
stop
mysql -h127.0.0.1 -uroot -e "CREATE DATABASE cronfleet_e2e_bk_dst CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
mysql -h127.0.0.1 -uroot cronfleet_e2e_bk_dst < $W/backup/cronfleet.sql
start $W/dst 18486 CRONFLEET_DB=mysql://root@127.0.0.1:3306/cronfleet_e2e_bk_dst CRONFLEET_SECRET_KEY=$KEY
runjob
$CF tasks ls --job secret-check
$CF export > $W/mafter.yaml; cmp $W/mbefore.yaml $W/mafter.yaml && echo "export identical after mysqldump restore"
stop
mysql -h127.0.0.1 -uroot -e "DROP DATABASE cronfleet_e2e_bk_src; DROP DATABASE cronfleet_e2e_bk_dst"
rm -rf $W
echo ALL DONE
