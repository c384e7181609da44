#!/bin/sh
# Checker for replace_file: after a crash, DIR/config holds one whole version, old or new.
# Usage: check_config.sh DIR
content=$(cat "$1/config" 2>/dev/null) || { echo "config is missing"; exit 1; }
case "$content" in
  old-config | new-config) exit 0 ;;
  *) printf 'config holds %s bytes: "%s"\n' "$(wc -c < "$1/config")" "$content"; exit 1 ;;
esac
