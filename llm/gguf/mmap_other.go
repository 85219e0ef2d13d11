//go:build !unix

package gguf

import "errors"

// Without a mapping primitive wired up for this OS, Open reads the file into memory instead.
func mmapFile(fd, size int) ([]byte, error) { return nil, errors.ErrUnsupported }

func munmap(b []byte) error { return nil }
