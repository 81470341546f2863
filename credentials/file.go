package credentials

import (
	"fmt"
	"io"
	"os"
)

// Bounds on local files keyhole reads. A path may name /dev/zero, a FIFO or
// a multi-gigabyte file by mistake or by design (NETRC=/dev/zero); none of
// these may hang keyhole or fill its memory.
const (
	MaxSmallFile = 1 << 20   // netrc, profiles, secret files, PEM certificates and keys
	MaxCABundle  = 8 << 20   // a CA bundle (the system's is about 200 KiB)
	MaxDataFile  = 256 << 20 // a request body read from a file (-d @FILE), held in memory to be resent
)

// ErrTooBig is wrapped by ReadFileLimit's error for a file past its limit.
var ErrTooBig = fmt.Errorf("too big")

// ReadFileLimit reads the file at path, or fails once it has read more than
// limit bytes: it never reads past limit+1, whatever the file is.
func ReadFileLimit(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is %w: keyhole reads at most %s of it; is it the right file?", path, ErrTooBig, sizeWords(limit))
	}
	return b, nil
}

func sizeWords(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
