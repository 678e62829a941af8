#!/bin/sh
# ordersync alert command: mails the alert (one JSON object on stdin) through sendmail.
# Config: "alerts": { "command": ["/usr/local/bin/ordersync-alert-mail", "ops@example.com"] }
set -eu
to="${1:?usage: alert-mail.sh RECIPIENT}"
alert=$(cat)
event=$(printf '%s' "$alert" | sed -n 's/.*"event":"\([a-z_]*\)".*/\1/p')
channel=$(printf '%s' "$alert" | sed -n 's/.*"channel":"\([a-z0-9-]*\)".*/\1/p')
printf 'To: %s\nSubject: ordersync: %s %s\nContent-Type: text/plain; charset=utf-8\n\n%s\n' \
  "$to" "${event:-alert}" "$channel" "$alert" | /usr/sbin/sendmail -t
