package signing

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// keyFile is the stored form of a key pair: Private is the Ed25519 seed or the SM2 key as PKCS #8.
type keyFile struct {
	ID      string    `json:"kid"`
	Alg     Alg       `json:"alg"`
	Created time.Time `json:"created"`
	Private string    `json:"private"`
}

var kidRe = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)

// Dir keeps private keys in a folder (mode 0700), one file <kid>.json (mode 0600) per key.
// Several instances that share the folder share the keys.
type Dir struct {
	path string
	mu   sync.Mutex
	keys map[string]*Key
}

// OpenDir returns the key folder at path (created on first write).
func OpenDir(path string) *Dir { return &Dir{path: path, keys: map[string]*Key{}} }

// Path returns the folder.
func (d *Dir) Path() string { return d.path }

// Get returns the key kid, reading it from the folder when not yet loaded; nil when absent.
func (d *Dir) Get(kid string) (*Key, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if k, ok := d.keys[kid]; ok {
		return k, nil
	}
	if !kidRe.MatchString(kid) {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(d.path, kid+".json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	k, err := decodeKey(b)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", kid, err)
	}
	d.keys[kid] = k
	return k, nil
}

// List returns every key in the folder, oldest first.
func (d *Dir) List() ([]*Key, error) {
	entries, err := os.ReadDir(d.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Key
	for _, e := range entries {
		kid, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() {
			continue
		}
		k, err := d.Get(kid)
		if err != nil {
			return nil, err
		}
		if k != nil {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// Create generates a key for alg and writes it to the folder.
func (d *Dir) Create(alg Alg, now time.Time) (*Key, error) {
	k, err := Generate(alg, now)
	if err != nil {
		return nil, err
	}
	b, err := encodeKey(k)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(d.path, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(d.path, k.ID+".json"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.keys[k.ID] = k
	d.mu.Unlock()
	return k, nil
}

// Newest returns the newest key of alg in the folder, creating one when there is none.
func (d *Dir) Newest(alg Alg, now time.Time) (*Key, error) {
	keys, err := d.List()
	if err != nil {
		return nil, err
	}
	for i := len(keys) - 1; i >= 0; i-- {
		if keys[i].Alg == alg {
			return keys[i], nil
		}
	}
	return d.Create(alg, now)
}

func encodeKey(k *Key) ([]byte, error) {
	f := keyFile{ID: k.ID, Alg: k.Alg, Created: k.Created}
	switch k.Alg {
	case EdDSA:
		f.Private = base64.StdEncoding.EncodeToString(k.ed.Seed())
	case SM2:
		der, err := smx509.MarshalPKCS8PrivateKey(k.sm)
		if err != nil {
			return nil, err
		}
		f.Private = base64.StdEncoding.EncodeToString(der)
	}
	return json.MarshalIndent(f, "", "  ")
}

func decodeKey(b []byte) (*Key, error) {
	var f keyFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(f.Private)
	if err != nil {
		return nil, err
	}
	k := &Key{ID: f.ID, Alg: f.Alg, Created: f.Created}
	switch f.Alg {
	case EdDSA:
		if len(raw) != ed25519.SeedSize {
			return nil, errors.New("bad Ed25519 seed")
		}
		k.ed = ed25519.NewKeyFromSeed(raw)
	case SM2:
		p, err := smx509.ParsePKCS8PrivateKey(raw)
		if err != nil {
			return nil, err
		}
		sk, ok := p.(*sm2.PrivateKey)
		if !ok {
			return nil, errors.New("not an SM2 private key")
		}
		k.sm = sk
	default:
		return nil, fmt.Errorf("unknown algorithm %q", f.Alg)
	}
	return k, nil
}
