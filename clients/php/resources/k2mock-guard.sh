# k2mock-guard [--remove PATH] COMMAND [ARG...]: runs COMMAND so that it never outlives the
# process that started this script (the PHP kit, clients/php/src/Internal/ChildProcess.php).
# That process holds the only write end of this script's stdin; a watcher reads it until EOF,
# which comes when the process closes it (stop) or dies, however (exit, fatal error, SIGKILL),
# and then sends COMMAND SIGTERM. COMMAND's pid is written on fd 3; the exit status is
# COMMAND's. PATH (a temporary file or directory of COMMAND's) is removed once COMMAND exited.
remove=
if [ "${1:-}" = "--remove" ]; then
    remove=$2
    shift 2
fi
exec 4<&0 </dev/null
"$@" 3>&- 4<&- &
child=$!
echo "$child" >&3
exec 3>&-
( trap - INT TERM HUP; while read -r _; do :; done; kill -TERM "$child" 2>/dev/null ) <&4 >/dev/null 2>&1 &
watcher=$!
exec 4<&- >/dev/null 2>&1
trap 'kill -TERM "$child" 2>/dev/null' INT TERM HUP
while :; do
    wait "$child"
    status=$?
    kill -0 "$child" 2>/dev/null || break
done
kill "$watcher" 2>/dev/null
[ -n "$remove" ] && rm -rf -- "$remove"
exit "$status"
