package ui

import (
	"strings"

	"keyhole/httpclient"
)

// safeLine makes a one-line server string harmless for the terminal.
func safeLine(s string) string { return httpclient.SafeLine(s) }

// safeText makes a multi-line server string harmless and measurable: CRLF
// becomes one break, and tabs become spaces because a tab's width depends on
// the column it lands in, which would break the layout's width arithmetic.
func safeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(httpclient.Safe(s), "\t", "    ")
}
