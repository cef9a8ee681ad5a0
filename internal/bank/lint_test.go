package bank

import (
	"os"
	"testing"
)

// TestRepositoryBankLints is `make test`'s lint of question-bank/: every item valid, ids unique,
// no near-duplicates.
func TestRepositoryBankLints(t *testing.T) {
	items, ps := LintFS(os.DirFS("../.."), "question-bank", DefaultTaxonomy)
	for _, p := range ps {
		t.Error(p.String())
	}
	if len(items) == 0 {
		t.Fatal("question-bank/ has no items")
	}
	t.Logf("%d items linted", len(items))
}
