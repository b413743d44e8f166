#!/bin/sh
# HAProxy's external check for a Galera node: healthy only while the node is Synced (wsrep_local_state 4), not while it
# joins, donates a copy or sits outside the primary component. HAProxy passes: proxy address, proxy port, server
# address, server port. Needs a passwordless user that may only connect: CREATE USER 'haproxy'@'<haproxy host>';
state=$(/usr/bin/mariadb --no-defaults -h "$3" -P "$4" -u haproxy --connect-timeout=1 -N \
  -e "SHOW GLOBAL STATUS LIKE 'wsrep_local_state'" 2>/dev/null | awk '{print $2}')
[ "$state" = 4 ]
