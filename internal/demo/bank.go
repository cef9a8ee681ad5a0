package demo

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"qualify/internal/app"
	"qualify/question-bank"
)

// loadBank imports the repository's reviewed question bank, published; unchanged items are
// left as they are, so a second load changes nothing.
func loadBank(ctx context.Context, a *app.App) (int, error) {
	total := 0
	err := fs.WalkDir(questionbank.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := fs.ReadFile(questionbank.FS, p)
		if err != nil {
			return err
		}
		res, err := a.Bank.Import(ctx, system, "question-bank/"+p, data, "", true)
		if err != nil {
			return fmt.Errorf("question bank %s: %w", p, err)
		}
		if len(res.Problems) > 0 {
			return fmt.Errorf("question bank %s: %s", p, res.Problems.Error())
		}
		total += res.Imported + res.Updated + res.Unchanged
		return nil
	})
	return total, err
}
