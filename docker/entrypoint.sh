#!/bin/sh
# Entry point of both images (under tini): reads secrets from files into the environment of the
# program it then execs, so that they never stand in the container's config (`docker inspect` shows
# its Env) and compose can hand them over as `secrets:` (mounted under /run/secrets):
#   CRONFLEET_<NAME>_FILE=path   sets CRONFLEET_<NAME> to the file's content (without its final newline)
#   CRONFLEET_DB_PASSWORD_FILE   puts the password into CRONFLEET_DB: mysql://user@host:3306/db
#                                becomes mysql://user:PASSWORD@host:3306/db (letters and digits only,
#                                as the URL carries it unescaped)
# A file that cannot be read stops the container with exit code 2, naming the variable, not the value.
set -eu

die() { echo "cronfleet-entrypoint: $*" >&2; exit 2; }

for var in $(env | sed -n 's/^\(CRONFLEET_[A-Z0-9_]*\)_FILE=.*/\1/p'); do
  eval "file=\${${var}_FILE}"
  # shellcheck disable=SC2154 # set by the eval above
  [ -r "$file" ] || die "${var}_FILE: cannot read $file (is it readable by uid $(id -u)?)"
  value=$(cat "$file")
  [ -n "$value" ] || die "${var}_FILE: $file is empty"
  unset "${var}_FILE"
  if [ "$var" = CRONFLEET_DB_PASSWORD ]; then
    case $value in *[!A-Za-z0-9]*) die "${var}_FILE: the password must be letters and digits only" ;; esac
    case ${CRONFLEET_DB:-} in
      mysql://*@*) ;;
      *) die "${var}_FILE needs CRONFLEET_DB=mysql://USER@HOST:PORT/DATABASE (without a password)" ;;
    esac
    CRONFLEET_DB=$(printf '%s' "$CRONFLEET_DB" | sed "s#^mysql://\([^:@/]*\)@#mysql://\1:${value}@#")
    export CRONFLEET_DB
  else
    export "$var=$value"
  fi
done
unset var file value

exec "$@"
