package httpclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
)

// Kinds of TransportError, for callers to branch on.
const (
	KindDNS                 = "dns"
	KindRefused             = "refused"
	KindReset               = "reset"
	KindTLS                 = "tls"
	KindTLSClientCert       = "tls-client-cert"
	KindTLSUnknownAuthority = "tls-unknown-authority"
	KindTimeout             = "timeout"
	KindCancelled           = "cancelled"
	KindHeadersTooLarge     = "headers-too-large"
	KindMalformedHeader     = "malformed-header"
	KindRedirectLimit       = "redirect-limit" // the answer is a redirect keyhole stopped following
	KindOther               = "other"
)

// TransportError is a request that got no HTTP answer (or lost it midway):
// Kind says what went wrong, Hint what to try.
type TransportError struct {
	Kind string
	Err  error
	Hint string
}

// Error is one terminal-safe line: what happened, then what to try.
func (e *TransportError) Error() string {
	msg := e.Err.Error()
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	// Certificate names and proxy answers come from the other side.
	return SafeLine(msg)
}

func (e *TransportError) Unwrap() error { return e.Err }

// classify turns a net/http failure into a *TransportError.
func classify(err error) *TransportError {
	var te *TransportError
	if errors.As(err, &te) {
		return te
	}
	var (
		dnsErr     *net.DNSError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		recordErr  tls.RecordHeaderError
		netErr     net.Error
	)
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "proxyconnect" && op.Err != nil {
		te := classify(op.Err)
		te.Err = fmt.Errorf("the proxy: %w", te.Err)
		if te.Kind != KindCancelled {
			te.Hint = "check the proxy's address and that it runs (http_proxy, HTTPS_PROXY, NO_PROXY or the proxy setting)"
		}
		return te
	}
	msg := err.Error()
	switch {
	case errors.Is(err, context.Canceled):
		return &TransportError{KindCancelled, errors.New("cancelled before the exchange finished"), ""}
	case op != nil && op.Op == "dial" && op.Timeout():
		return &TransportError{KindTimeout, fmt.Errorf("connecting to %s timed out", op.Addr),
			"nothing answered: check the host and port, or a firewall; or allow a longer connect timeout"}
	case errors.Is(err, context.DeadlineExceeded):
		return &TransportError{KindTimeout, errors.New("timed out before the exchange finished"),
			"the server or network is slow or not answering; check it is reachable, or allow more time"}
	case errors.As(err, &dnsErr):
		return &TransportError{KindDNS, fmt.Errorf("cannot resolve the host name %q: %s", dnsErr.Name, dnsErr.Err),
			"check the spelling of the host, or the DNS settings of this machine"}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &TransportError{KindRefused, fmt.Errorf("connection refused%s", addrOf(err)),
			"nothing listens on that port: check the host and port in the URL, or start the server"}
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return &TransportError{KindReset, fmt.Errorf("the connection was reset%s", addrOf(err)),
			"the server or something in between dropped the request; check http vs https and the server's logs"}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return &TransportError{KindReset, errors.New("the server closed the connection before answering in full"),
			"it may have crashed or refused the request silently; check http vs https and the server's logs"}
	case errors.As(err, &unknownCA):
		return &TransportError{KindTLSUnknownAuthority, fmt.Errorf("TLS: the server's certificate is signed by an unknown authority (%s)", unknownCA.Cert.Subject),
			"trust the CA that issued it (a private or test CA?), or check that no proxy intercepts TLS"}
	case strings.Contains(msg, "certificate required") || strings.Contains(msg, "bad certificate"):
		return &TransportError{KindTLSClientCert, errors.New("TLS: the server requires a client certificate (mutual TLS) and got none it accepts"),
			"configure a client certificate and key the server trusts; it sends no HTTP answer without one"}
	case errors.As(err, &recordErr) || strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return &TransportError{KindTLS, errors.New("TLS: the server did not answer in TLS"),
			"it probably speaks plain HTTP on this port: try http:// instead of https://"}
	case errors.As(err, &hostErr):
		return &TransportError{KindTLS, fmt.Errorf("TLS: %v", hostErr),
			"the certificate is for another name: use the host name it was issued for"}
	case errors.As(err, &invalidErr):
		return &TransportError{KindTLS, fmt.Errorf("TLS: %v", invalidErr),
			"the certificate is expired, not yet valid or not usable for a server; check the server's certificate and this machine's clock"}
	case strings.Contains(msg, "tls:"):
		return &TransportError{KindTLS, fmt.Errorf("TLS handshake failed: %s", tlsDetail(msg)),
			"the server and keyhole share no TLS version or cipher, or the server rejected the handshake"}
	case strings.Contains(msg, "response headers exceeded"):
		return &TransportError{KindHeadersTooLarge, fmt.Errorf("the response headers exceed %d bytes (1 MiB), so keyhole stopped reading", MaxHeaderBytes),
			"the server sends far more header than any real one needs; look at it with a raw TCP client"}
	case strings.Contains(msg, "malformed MIME header"):
		return malformedHeader(msg)
	case errors.As(err, &netErr) && netErr.Timeout():
		return &TransportError{KindTimeout, fmt.Errorf("timed out: %s", msg),
			"the server or network is slow or not answering; check it is reachable, or allow more time"}
	}
	return &TransportError{KindOther, err, ""}
}

// malformedHeader explains net/textproto's refusal of a response header
// line. Its message quotes the line with %q, so the line is read back to tell
// control characters (a hostile or broken server) from a line without a colon
// or with an invalid name.
func malformedHeader(msg string) *TransportError {
	line := ""
	if i := strings.Index(msg, ": \""); i >= 0 {
		if s, err := strconv.Unquote(strings.TrimSpace(msg[i+2:])); err == nil {
			line = s
		}
	}
	name, value, _ := strings.Cut(line, ":")
	if strings.ContainsFunc(value, isControl) {
		return &TransportError{KindMalformedHeader, fmt.Errorf("the response header %s holds control characters, so Go refused the whole response", SafeLine(strings.TrimSpace(name))),
			"the server sent control characters in a response header; it may be hostile or broken (read it with a raw TCP client, in a terminal you do not mind resetting)"}
	}
	return &TransportError{KindMalformedHeader, errors.New("a response header line is malformed (no colon, or an invalid field name), so Go refused the whole response"),
		"the server is broken or speaks something other than HTTP on this port; look at its raw answer with a raw TCP client"}
}

// isControl reports a byte HTTP forbids in a field value (RFC 9110 §5.5):
// C0 controls other than tab, and DEL.
func isControl(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }

// addrOf returns " by ADDR" for a failure on a known address, else "".
func addrOf(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Addr != nil {
		return " by " + op.Addr.String()
	}
	return ""
}

// tlsDetail keeps the part of a TLS error message after "tls: ".
func tlsDetail(msg string) string {
	if i := strings.LastIndex(msg, "tls: "); i >= 0 {
		return msg[i+len("tls: "):]
	}
	return msg
}
