package video

import (
	"errors"
	"fmt"
)

// Sentinel errors classify what is wrong with an input. Every error returned by Open and by sampling is an
// *Error that matches one of these with errors.Is (cancellation aside, which matches ctx.Err()).
var (
	ErrEmpty            = errors.New("empty file")
	ErrNotMedia         = errors.New("not a media file")
	ErrImage            = errors.New("an image, not a video")
	ErrNoVideo          = errors.New("no video stream")
	ErrUnsupportedCodec = errors.New("unsupported codec")
	ErrCorrupt          = errors.New("truncated or corrupt data")
	ErrZeroDuration     = errors.New("zero duration")
	ErrBadRequest       = errors.New("bad sampling request")
)

// Error is the error type of this package: which file, what kind of problem (one of the sentinels), a detail
// for people and the underlying cause (often an FFmpeg error), if any.
type Error struct {
	Path   string
	Kind   error  // one of the Err* sentinels
	Detail string // what was seen, e.g. `decoder "h264" found no frame`
	Cause  error  // underlying error, may be nil
}

func (e *Error) Error() string {
	s := "video: " + e.Path + ": " + e.Kind.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap lets errors.Is match both the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}

func newErr(path string, kind error, cause error, format string, a ...any) *Error {
	return &Error{Path: path, Kind: kind, Detail: fmt.Sprintf(format, a...), Cause: cause}
}
