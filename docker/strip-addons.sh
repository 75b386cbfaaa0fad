#!/bin/sh
# Keeps only the compiled .node files of node-gyp builds: each DIR/build becomes DIR/build/Release/*.node,
# dropping objects (obj.target), makefiles and dependency files; better-sqlite3's bundled SQLite
# sources (deps/, src/) go too. Usage: sh strip-addons.sh DIR...
set -eu
for dir in "$@"; do
  [ -d "$dir/build/Release" ] || { echo "strip-addons.sh: no $dir/build/Release" >&2; exit 1; }
  keep=$(mktemp -d)
  cp "$dir"/build/Release/*.node "$keep"/
  rm -rf "$dir/build"
  mkdir -p "$dir/build/Release"
  mv "$keep"/*.node "$dir/build/Release/"
  rmdir "$keep"
  if [ "$(basename "$dir")" = better-sqlite3 ]; then rm -rf "$dir/deps" "$dir/src"; fi
done
