// Command floor is bench/minimal with what keyhole's first frame cannot
// do without: it imports every package keyhole's own packages import (so
// their package initialisation runs before main, as it does for keyhole)
// and draws keyhole's first frame, read from the file named by its
// argument. bench/run.sh writes that file from the TUI at 120x40 (go test
// ./ui -run TestFirstFrame with KEYHOLE_FRAME_FILE set) and measures
// keyhole's first frame against this program as well as against
// bench/minimal: what keyhole adds above this floor is its own.
// TestBenchFloorImportsWhatKeyholeImports keeps the list whole.
package main

import (
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	_ "bufio"
	_ "bytes"
	_ "charm.land/bubbles/v2/help"
	_ "charm.land/bubbles/v2/key"
	_ "charm.land/bubbles/v2/spinner"
	_ "charm.land/bubbles/v2/textarea"
	_ "charm.land/bubbles/v2/textinput"
	_ "charm.land/lipgloss/v2"
	_ "cmp"
	_ "compress/gzip"
	_ "context"
	_ "crypto"
	_ "crypto/ecdsa"
	_ "crypto/ed25519"
	_ "crypto/elliptic"
	_ "crypto/hmac"
	_ "crypto/md5"
	_ "crypto/rand"
	_ "crypto/rsa"
	_ "crypto/sha256"
	_ "crypto/sha512"
	_ "crypto/subtle"
	_ "crypto/tls"
	_ "crypto/x509"
	_ "crypto/x509/pkix"
	_ "encoding/base64"
	_ "encoding/binary"
	_ "encoding/hex"
	_ "encoding/json"
	_ "encoding/pem"
	_ "encoding/xml"
	_ "errors"
	_ "github.com/Azure/go-ntlmssp"
	_ "github.com/alecthomas/chroma/v2"
	_ "github.com/aws/aws-sdk-go-v2/aws"
	_ "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	_ "github.com/charmbracelet/x/ansi"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/jcmturner/gofork/encoding/asn1"
	_ "github.com/jcmturner/gokrb5/v8/client"
	_ "github.com/jcmturner/gokrb5/v8/config"
	_ "github.com/jcmturner/gokrb5/v8/credentials"
	_ "github.com/jcmturner/gokrb5/v8/crypto"
	_ "github.com/jcmturner/gokrb5/v8/gssapi"
	_ "github.com/jcmturner/gokrb5/v8/iana/errorcode"
	_ "github.com/jcmturner/gokrb5/v8/iana/flags"
	_ "github.com/jcmturner/gokrb5/v8/iana/keyusage"
	_ "github.com/jcmturner/gokrb5/v8/messages"
	_ "github.com/jcmturner/gokrb5/v8/spnego"
	_ "github.com/jcmturner/gokrb5/v8/types"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/pflag"
	_ "github.com/xdg-go/scram"
	_ "github.com/zalando/go-keyring"
	_ "golang.org/x/crypto/md4"
	_ "golang.org/x/oauth2"
	_ "golang.org/x/oauth2/clientcredentials"
	_ "golang.org/x/term"
	_ "hash"
	_ "html"
	_ "html/template"
	_ "image/color"
	_ "io"
	_ "io/fs"
	_ "maps"
	_ "math"
	_ "math/big"
	_ "mime"
	_ "mvdan.cc/sh/v3/expand"
	_ "mvdan.cc/sh/v3/syntax"
	_ "net"
	_ "net/http"
	_ "net/http/cookiejar"
	_ "net/http/httptrace"
	_ "net/http/httputil"
	_ "net/netip"
	_ "net/url"
	_ "os/exec"
	_ "os/signal"
	_ "path"
	_ "path/filepath"
	_ "regexp"
	_ "runtime"
	_ "runtime/debug"
	_ "slices"
	_ "sort"
	_ "strconv"
	_ "strings"
	_ "sync"
	_ "sync/atomic"
	_ "syscall"
	_ "text/tabwriter"
	_ "time"
	_ "unicode"
	_ "unicode/utf16"
	_ "unicode/utf8"
	_ "unsafe"
)

type model struct{ frame string }

func (model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "ctrl+c" {
		return m, tea.Quit
	}
	return m, nil
}

func (m model) View() tea.View {
	v := tea.NewView(m.frame)
	v.AltScreen = true
	return v
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor FRAME-FILE")
		os.Exit(2)
	}
	frame, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The frame's colours are made for the terminal, as keyhole makes them
	// (see ui's termProfile): Bubble Tea passes them through.
	p := tea.NewProgram(model{string(frame)}, tea.WithFPS(120), tea.WithColorProfile(colorprofile.TrueColor))
	if _, err := p.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
