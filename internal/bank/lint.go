package bank

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode"
)

// LintFS validates every .yaml/.yml file under root in fsys: each item's content, that a file's
// subject matches its folder, that ids are unique across the bank, and that no two stems are
// near-duplicates. It returns the items read and every problem.
func LintFS(fsys fs.FS, root string, tax Taxonomy) ([]Item, Problems) {
	var items []Item
	var ps Problems
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		got, probs := ParseYAML(p, data, tax)
		ps = append(ps, probs...)
		if len(got) > 0 {
			folder := path.Base(path.Dir(p))
			if _, ok := SubjectByCode(folder); ok && got[0].Subject != "" && got[0].Subject != folder {
				ps = append(ps, Problem{Location: p + ":1", Field: "subject", Message: fmt.Sprintf("科目 %s 与所在目录 %s 不一致", got[0].Subject, folder)})
			}
		}
		items = append(items, got...)
		return nil
	})
	if err != nil {
		ps = append(ps, Problem{Location: root, Message: err.Error()})
	}
	seen := map[string]string{}
	for _, it := range items {
		if prev, dup := seen[it.Ref]; dup && it.Ref != "" && prev != it.Source {
			ps = append(ps, Problem{Location: it.Source, Field: "id", Message: fmt.Sprintf("编号 %s 与 %s 中的题目重复", it.Ref, prev)})
		}
		seen[it.Ref] = it.Source
	}
	for _, d := range NearDuplicates(items, 0.7) {
		ps = append(ps, Problem{Location: d.A.Source, Field: "stem",
			Message: fmt.Sprintf("%s 与 %s（%s）题干近似重复（相似度 %.2f）", d.A.Ref, d.B.Ref, d.B.Source, d.Similarity)})
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Location < ps[j].Location })
	return items, ps
}

// Duplicate is a pair of items whose stems are nearly the same.
type Duplicate struct {
	A, B       Item
	Similarity float64
}

// Bigrams returns the set of adjacent character pairs of s, ignoring spaces and punctuation.
func Bigrams(s string) map[string]struct{} {
	var rs []rune
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.IsPunct(r) {
			rs = append(rs, r)
		}
	}
	out := make(map[string]struct{}, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		out[string(rs[i:i+2])] = struct{}{}
	}
	return out
}

// NearDuplicates returns the pairs of items whose stems' bigram sets have a Jaccard similarity
// above threshold. Candidate pairs come from an inverted index, so a bank of thousands is quick.
func NearDuplicates(items []Item, threshold float64) []Duplicate {
	sets := make([]map[string]struct{}, len(items))
	index := map[string][]int{}
	for i, it := range items {
		sets[i] = Bigrams(it.Stem)
		for g := range sets[i] {
			index[g] = append(index[g], i)
		}
	}
	var out []Duplicate
	for i := range items {
		if len(sets[i]) == 0 {
			continue
		}
		shared := map[int]int{}
		for g := range sets[i] {
			for _, j := range index[g] {
				if j > i {
					shared[j]++
				}
			}
		}
		for j, inter := range shared {
			union := len(sets[i]) + len(sets[j]) - inter
			if sim := float64(inter) / float64(union); sim > threshold {
				out = append(out, Duplicate{A: items[i], B: items[j], Similarity: sim})
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].A.Ref+out[a].B.Ref < out[b].A.Ref+out[b].B.Ref })
	return out
}
