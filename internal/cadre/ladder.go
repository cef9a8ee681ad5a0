package cadre

import "sort"

// PostLevel is one of the ten leadership post levels (领导职务层次), domain.md §1.1.
type PostLevel struct {
	Code     string // contract code, e.g. "county_deputy"
	Name     string // 县处级副职
	Ord      int    // 1 is the highest (国家级正职)
	GradeMin int    // higher end of the 级别 range (smaller number)
	GradeMax int    // lower end of the 级别 range
}

// Rank is one rank (职级) of a category, domain.md §1.2.
type Rank struct {
	Category string // e.g. "general" (综合管理类)
	Code     string // e.g. "researcher_4" (四级调研员)
	Name     string
	Ord      int // 1 is the highest within the category
	GradeMin int
	GradeMax int
}

// RankCategory is a category of ranks (综合管理类, 专业技术类 ...).
type RankCategory struct {
	Code string
	Name string
}

// PostCategory is the category of a post (职务类别): 党政领导, 行政管理, 党群组织管理.
type PostCategory struct {
	Code string
	Name string
}

// Equivalence says that a rank counts as a post level ("X级及相当层次", domain.md §1.3).
type Equivalence struct {
	PostLevel    string
	RankCategory string
	RankCode     string
}

// Ladder is the rank model as data: post levels, ranks, their equivalence and the post
// categories, loaded from the database. The zero Ladder knows nothing; build one with NewLadder.
type Ladder struct {
	Levels         []PostLevel // by Ord
	Ranks          []Rank      // by category, then Ord
	RankCategories []RankCategory
	Categories     []PostCategory
	Equivalences   []Equivalence

	levelByCode map[string]PostLevel
	rankByKey   map[rankKey]Rank
	levelOfRank map[rankKey]string
	category    map[string]PostCategory
	rankCat     map[string]RankCategory
}

type rankKey struct{ category, code string }

// NewLadder indexes the ladder's tables.
func NewLadder(levels []PostLevel, ranks []Rank, rankCats []RankCategory, cats []PostCategory, eqs []Equivalence) *Ladder {
	l := &Ladder{Levels: append([]PostLevel(nil), levels...), Ranks: append([]Rank(nil), ranks...),
		RankCategories: rankCats, Categories: cats, Equivalences: eqs,
		levelByCode: map[string]PostLevel{}, rankByKey: map[rankKey]Rank{}, levelOfRank: map[rankKey]string{},
		category: map[string]PostCategory{}, rankCat: map[string]RankCategory{}}
	sort.Slice(l.Levels, func(i, j int) bool { return l.Levels[i].Ord < l.Levels[j].Ord })
	sort.Slice(l.Ranks, func(i, j int) bool {
		if l.Ranks[i].Category != l.Ranks[j].Category {
			return l.Ranks[i].Category < l.Ranks[j].Category
		}
		return l.Ranks[i].Ord < l.Ranks[j].Ord
	})
	for _, x := range l.Levels {
		l.levelByCode[x.Code] = x
	}
	for _, r := range l.Ranks {
		l.rankByKey[rankKey{r.Category, r.Code}] = r
	}
	for _, e := range eqs {
		l.levelOfRank[rankKey{e.RankCategory, e.RankCode}] = e.PostLevel
	}
	for _, c := range cats {
		l.category[c.Code] = c
	}
	for _, c := range rankCats {
		l.rankCat[c.Code] = c
	}
	return l
}

// LevelByCode returns the post level with that code.
func (l *Ladder) LevelByCode(code string) (PostLevel, bool) {
	x, ok := l.levelByCode[code]
	return x, ok
}

// RankByCode returns the rank of a category with that code.
func (l *Ladder) RankByCode(category, code string) (Rank, bool) {
	r, ok := l.rankByKey[rankKey{category, code}]
	return r, ok
}

// CategoryByCode returns the post category with that code.
func (l *Ladder) CategoryByCode(code string) (PostCategory, bool) {
	c, ok := l.category[code]
	return c, ok
}

// RankCategoryByCode returns the rank category with that code.
func (l *Ladder) RankCategoryByCode(code string) (RankCategory, bool) {
	c, ok := l.rankCat[code]
	return c, ok
}

// RanksEquivalentTo returns the ranks that count as the post level, highest first.
func (l *Ladder) RanksEquivalentTo(level string) []Rank {
	var out []Rank
	for _, r := range l.Ranks {
		if l.levelOfRank[rankKey{r.Category, r.Code}] == level {
			out = append(out, r)
		}
	}
	return out
}

// LevelOfRank returns the post level a rank is equivalent to, if any (一级科员 has none).
func (l *Ladder) LevelOfRank(category, code string) (PostLevel, bool) {
	lv, ok := l.levelOfRank[rankKey{category, code}]
	if !ok {
		return PostLevel{}, false
	}
	return l.LevelByCode(lv)
}

// LevelBelow returns the post level one step below level (县处级正职 -> 县处级副职).
func (l *Ladder) LevelBelow(level string) (PostLevel, bool) {
	x, ok := l.levelByCode[level]
	if !ok {
		return PostLevel{}, false
	}
	for _, y := range l.Levels {
		if y.Ord == x.Ord+1 {
			return y, true
		}
	}
	return PostLevel{}, false
}

// Grade is the position a post level or rank holds on the ladder. Major is the ord of the post
// level (or of the level a rank is equivalent to; ranks without one sit below every level);
// Minor is the rank's ord within its category, 0 for a post level.
type Grade struct {
	Major  int
	Minor  int
	IsRank bool
	Valid  bool
}

// Order returns the grade of a post level and/or a rank (the post level wins when both are set).
// Unknown codes give an invalid Grade.
func (l *Ladder) Order(level, rankCategory, rankCode string) Grade {
	if level != "" {
		if x, ok := l.levelByCode[level]; ok {
			return Grade{Major: x.Ord, Valid: true}
		}
		return Grade{}
	}
	r, ok := l.rankByKey[rankKey{rankCategory, rankCode}]
	if !ok {
		return Grade{}
	}
	if lv, ok := l.LevelOfRank(rankCategory, rankCode); ok {
		return Grade{Major: lv.Ord, Minor: r.Ord, IsRank: true, Valid: true}
	}
	return Grade{Major: len(l.Levels) + r.Ord, Minor: r.Ord, IsRank: true, Valid: true}
}

// Higher reports whether g is strictly above h. A post level and a rank equivalent to it are
// level with each other; two ranks at the same level compare by their order (二级调研员 is
// below 一级调研员).
func (g Grade) Higher(h Grade) bool {
	switch {
	case !g.Valid:
		return false
	case !h.Valid:
		return true
	case g.Major != h.Major:
		return g.Major < h.Major
	case g.IsRank && h.IsRank:
		return g.Minor < h.Minor
	}
	return false
}

// SameTier reports whether g and h sit at the same post level (a level and its equivalent ranks).
func (g Grade) SameTier(h Grade) bool { return g.Valid && h.Valid && g.Major == h.Major }
