# Windows and proxy authentication peers (issue 18): Squid answers NTLM
# (ntlm_fake_auth) and Digest (digest_file_auth) as a forward proxy and as an
# accelerator; MIT Kerberos (a throw-away realm made by the tests) and Apache
# with mod_auth_gssapi answer Negotiate; Squid's negotiate_kerberos_auth
# answers it as a proxy. libfaketime (faketime) puts the KDC's or Apache's
# clock off for the clock-skew tests. The tests start each on free
# loopback ports from temporary directories (internal/peers).
ci_apt squid krb5-kdc krb5-admin-server krb5-user apache2 libapache2-mod-auth-gssapi faketime
# Debian starts their services on install; the tests run their own.
for s in squid krb5-kdc krb5-admin-server apache2; do
  service "$s" stop >/dev/null 2>&1 || true
done
