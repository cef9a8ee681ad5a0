package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"qualify/internal/bank"
	"qualify/internal/config"
	"qualify/internal/identity"
)

// bankLint validates item files under dir: exit 0 when all are valid, else one
// "file:line: message" line per problem and exit 1.
func bankLint(dir string, stdout io.Writer) int {
	abs, err := filepath.Abs(dir)
	if err != nil {
		fmt.Fprintln(stdout, err)
		return 1
	}
	st, err := os.Stat(abs)
	if err != nil {
		fmt.Fprintf(stdout, "%s: %v\n", dir, err)
		return 1
	}
	root, base := filepath.Dir(abs), filepath.Base(abs)
	if !st.IsDir() {
		root, base = filepath.Dir(abs), filepath.Base(abs)
	}
	items, ps := bank.LintFS(os.DirFS(root), base, bank.DefaultTaxonomy)
	for _, p := range ps {
		fmt.Fprintln(stdout, p.String())
	}
	if len(ps) > 0 {
		fmt.Fprintf(stdout, "%d 处问题（%d 道题）\n", len(ps), len(items))
		return 1
	}
	fmt.Fprintf(stdout, "全部有效：%d 道题\n", len(items))
	return 0
}

// bankImport imports a file or every item file under a folder, published at once: this is the
// operator's import of reviewed content. Any problem in a file imports nothing from that file.
func bankImport(ctx context.Context, cfg config.Config, logger *slog.Logger, p string, stdout, stderr io.Writer) int {
	a, closeApp, err := openApp(ctx, cfg, logger, true)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer closeApp()
	var files []string
	err = filepath.WalkDir(p, func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".gift", ".xml", ".zip", ".xlsx":
			if !de.IsDir() {
				files = append(files, path)
			}
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	system := identity.Principal{Username: "system"}
	failed := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		subject := ""
		if _, ok := bank.SubjectByCode(filepath.Base(filepath.Dir(f))); ok && !strings.HasSuffix(f, ".yaml") && !strings.HasSuffix(f, ".yml") {
			subject = filepath.Base(filepath.Dir(f))
		}
		res, err := a.Bank.Import(ctx, system, f, data, subject, true)
		if err != nil {
			fmt.Fprintf(stdout, "%s: %v\n", f, err)
			failed++
			continue
		}
		for _, w := range res.Warnings {
			fmt.Fprintf(stdout, "%s（未导入）\n", w.String())
		}
		for _, pr := range res.Problems {
			fmt.Fprintln(stdout, pr.String())
		}
		if len(res.Problems) > 0 {
			failed++
			continue
		}
		fmt.Fprintf(stdout, "%s: 新增 %d，更新 %d，未变 %d\n", f, res.Imported, res.Updated, res.Unchanged)
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "%d 个文件未导入\n", failed)
		return 1
	}
	return 0
}
