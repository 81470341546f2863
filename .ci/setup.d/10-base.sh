# Independent peers over loopback: curl (a client nobody here wrote) and
# lighttpd (a Digest server nobody here wrote); tmux, the real terminal the
# end-to-end TUI tests drive.
ci_apt curl lighttpd tmux
# Debian starts lighttpd as a service on :80; the tests start their own.
service lighttpd stop >/dev/null 2>&1 || true
