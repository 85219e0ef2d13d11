package safetensors

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Index file and single-file names used by Hugging Face model folders.
const (
	IndexFile  = "model.safetensors.index.json"
	SingleFile = "model.safetensors"
)

// Checkpoint is the set of safetensors files of one model folder, seen as one name → tensor map.
type Checkpoint struct {
	Dir   string
	Files []*File // shard order (sorted by file name)

	tensors []*Tensor // sorted by name
	byName  map[string]*Tensor
}

// OpenDir opens the model weights in dir: the shards listed by model.safetensors.index.json when it exists,
// otherwise model.safetensors, otherwise the folder's only *.safetensors file.
func OpenDir(dir string) (*Checkpoint, error) {
	idxPath := filepath.Join(dir, IndexFile)
	idx, err := os.ReadFile(idxPath)
	switch {
	case err == nil:
		return openIndexed(dir, idx)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	single := filepath.Join(dir, SingleFile)
	if _, err := os.Stat(single); err != nil {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.safetensors"))
		if len(matches) != 1 {
			return nil, fmt.Errorf("safetensors: %s: no %s, no %s and %d other .safetensors files: %w",
				dir, IndexFile, SingleFile, len(matches), fs.ErrNotExist)
		}
		single = matches[0]
	}
	f, err := Open(single)
	if err != nil {
		return nil, err
	}
	c := &Checkpoint{Dir: dir, Files: []*File{f}}
	if err := c.build(nil); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func openIndexed(dir string, idx []byte) (*Checkpoint, error) {
	var index struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(idx, &index); err != nil {
		return nil, fmt.Errorf("safetensors: %s: %w", filepath.Join(dir, IndexFile), err)
	}
	if len(index.WeightMap) == 0 {
		return nil, fmt.Errorf("safetensors: %s: empty or missing weight_map", filepath.Join(dir, IndexFile))
	}
	shardSet := map[string]bool{}
	for name, shard := range index.WeightMap {
		// A shard must be a plain file name inside dir: the index must not reach elsewhere on disk.
		if shard == "" || shard != filepath.Base(shard) || strings.ContainsAny(shard, `/\`) || shard == "." || shard == ".." {
			return nil, fmt.Errorf("safetensors: %s: tensor %q maps to invalid shard name %q", IndexFile, name, shard)
		}
		shardSet[shard] = true
	}
	shards := make([]string, 0, len(shardSet))
	for s := range shardSet {
		shards = append(shards, s)
	}
	sort.Strings(shards)
	for _, s := range shards {
		if _, err := os.Stat(filepath.Join(dir, s)); err != nil {
			return nil, fmt.Errorf("safetensors: %s references shard %q: %w", IndexFile, s, err)
		}
	}
	c := &Checkpoint{Dir: dir}
	for _, s := range shards {
		f, err := Open(filepath.Join(dir, s))
		if err != nil {
			c.Close()
			return nil, err
		}
		c.Files = append(c.Files, f)
	}
	if err := c.build(index.WeightMap); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// build merges the files' tensors, rejecting a name found in two files and, for an indexed checkpoint, a mapped
// tensor missing from its shard.
func (c *Checkpoint) build(weightMap map[string]string) error {
	c.byName = map[string]*Tensor{}
	where := map[string]string{}
	for _, f := range c.Files {
		base := filepath.Base(f.Path)
		for _, t := range f.Tensors() {
			if prev, dup := where[t.Name]; dup {
				return fmt.Errorf("safetensors: %s: tensor %q is in both %s and %s", c.Dir, t.Name, prev, base)
			}
			where[t.Name] = base
			c.byName[t.Name] = t
			c.tensors = append(c.tensors, t)
		}
	}
	names := make([]string, 0, len(weightMap))
	for n := range weightMap {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		got, ok := where[n]
		if !ok {
			return fmt.Errorf("safetensors: %s: tensor %q is mapped to %s but not found there", IndexFile, n, weightMap[n])
		}
		if got != weightMap[n] {
			return fmt.Errorf("safetensors: %s: tensor %q is mapped to %s but stored in %s", IndexFile, n, weightMap[n], got)
		}
	}
	sort.Slice(c.tensors, func(i, j int) bool { return c.tensors[i].Name < c.tensors[j].Name })
	return nil
}

// Tensor returns the named tensor.
func (c *Checkpoint) Tensor(name string) (*Tensor, bool) {
	t, ok := c.byName[name]
	return t, ok
}

// Tensors returns every tensor of every shard, sorted by name.
func (c *Checkpoint) Tensors() []*Tensor { return append([]*Tensor(nil), c.tensors...) }

// Close releases every shard.
func (c *Checkpoint) Close() error {
	var errs []error
	for _, f := range c.Files {
		if err := f.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
