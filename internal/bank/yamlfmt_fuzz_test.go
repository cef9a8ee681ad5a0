package bank

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseYAML feeds arbitrary bytes to the repository-format parser: it must never panic,
// every problem must carry a location in the file, and an item reported without problems must
// pass strict validation and survive an export and re-import unchanged in content.
func FuzzParseYAML(f *testing.F) {
	f.Add([]byte(sampleYAML))
	files, _ := filepath.Glob("../../question-bank/*/*.yaml")
	for i, p := range files {
		if i%6 == 0 { // a few real files as seeds
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("subject: party_affairs\nitems:\n  - id: pa-x\n    type: single\n"))
	f.Add([]byte("subject: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, ps := ParseYAML("f.yaml", data, DefaultTaxonomy)
		for _, p := range ps {
			if !strings.HasPrefix(p.Location, "f.yaml") {
				t.Fatalf("problem without location: %+v", p)
			}
		}
		if len(ps) > 0 || len(items) == 0 {
			return
		}
		for _, it := range items {
			if vs := it.Validate("x", DefaultTaxonomy); len(vs) > 0 {
				t.Fatalf("item accepted without problems fails validation: %v", vs)
			}
		}
		out, err := ExportYAML(items[0].Subject, items)
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		again, ps := ParseYAML("g.yaml", out, DefaultTaxonomy)
		if len(ps) > 0 || len(again) != len(items) {
			t.Fatalf("re-import: %d items, problems %v\n%s", len(again), ps, out)
		}
		for i := range items {
			if !sameContent(items[i], again[i]) {
				t.Fatalf("item %d changed in the round trip", i)
			}
		}
	})
}
