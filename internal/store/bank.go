package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"gorm.io/gorm"

	"qualify/internal/bank"
	"qualify/internal/platform/civil"
)

type itemRow struct {
	ID               int64 `gorm:"primaryKey"`
	Ref              string
	Subject          string
	Status           string
	CurrentVersion   int
	PublishedVersion *int
	AuthorID         *int64
	ReviewerID       *int64
	ReviewComment    string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (itemRow) TableName() string { return "items" }

type itemVersionRow struct {
	ItemID         int64 `gorm:"primaryKey;autoIncrement:false"`
	Version        int   `gorm:"primaryKey;autoIncrement:false"`
	Type           string
	Stem           string
	Content        string
	Points         float64
	Difficulty     int
	CognitiveLevel string
	ReviewBy       civil.Date
	Source         string
	CreatedBy      *int64
	CreatedAt      time.Time
}

func (itemVersionRow) TableName() string { return "item_versions" }

type itemKPRow struct {
	ItemID  int64  `gorm:"primaryKey;autoIncrement:false"`
	Version int    `gorm:"primaryKey;autoIncrement:false"`
	Path    string `gorm:"primaryKey"`
}

func (itemKPRow) TableName() string { return "item_knowledge_points" }

type itemTagRow struct {
	ItemID  int64  `gorm:"primaryKey;autoIncrement:false"`
	Version int    `gorm:"primaryKey;autoIncrement:false"`
	Tag     string `gorm:"primaryKey"`
}

func (itemTagRow) TableName() string { return "item_tags" }

type itemTermRow struct {
	ItemID int64  `gorm:"primaryKey;autoIncrement:false"`
	Term   string `gorm:"primaryKey"`
}

func (itemTermRow) TableName() string { return "item_terms" }

// itemContent is the JSON of a version's content beyond its indexed columns.
type itemContent struct {
	Options         []bank.Option    `json:"options,omitempty"`
	Choice          string           `json:"choice,omitempty"`
	Choices         []string         `json:"choices,omitempty"`
	Bool            *bool            `json:"bool,omitempty"`
	Blanks          [][]string       `json:"blanks,omitempty"`
	Scoring         string           `json:"scoring,omitempty"`
	Explanation     string           `json:"explanation,omitempty"`
	Basis           []bank.Basis     `json:"basis,omitempty"`
	ReferenceAnswer string           `json:"referenceAnswer,omitempty"`
	Rubric          []bank.Criterion `json:"rubric,omitempty"`
	Tolerance       float64          `json:"tolerance,omitempty"`
}

func versionRowFrom(it bank.Item) (itemVersionRow, error) {
	c := itemContent{Options: it.Options, Choice: it.Key.Choice, Choices: it.Key.Choices, Bool: it.Key.Bool, Blanks: it.Key.Blanks,
		Scoring: string(it.Scoring), Explanation: it.Explanation, Basis: it.Basis, ReferenceAnswer: it.ReferenceAnswer,
		Rubric: it.Rubric, Tolerance: it.Tolerance}
	b, err := json.Marshal(c)
	if err != nil {
		return itemVersionRow{}, err
	}
	return itemVersionRow{ItemID: it.ID, Version: it.Version, Type: string(it.Type), Stem: it.Stem, Content: string(b),
		Points: it.Points, Difficulty: it.Difficulty, CognitiveLevel: it.CognitiveLevel, ReviewBy: it.ReviewBy,
		Source: it.Source, CreatedBy: it.AuthorID, CreatedAt: it.UpdatedAt}, nil
}

func toItem(i itemRow, v itemVersionRow, kps []string, tags []string) (bank.Item, error) {
	var c itemContent
	if err := json.Unmarshal([]byte(v.Content), &c); err != nil {
		return bank.Item{}, err
	}
	it := bank.Item{ID: i.ID, Ref: i.Ref, Version: v.Version, Subject: i.Subject, Type: bank.Type(v.Type), Stem: v.Stem,
		Options: c.Options, Key: bank.Key{Choice: c.Choice, Choices: c.Choices, Bool: c.Bool, Blanks: c.Blanks},
		Scoring: bank.Scoring(c.Scoring), Points: v.Points, Explanation: c.Explanation, Basis: c.Basis,
		KnowledgePoints: kps, Competencies: tags, Difficulty: v.Difficulty, CognitiveLevel: v.CognitiveLevel,
		ReviewBy: v.ReviewBy, ReferenceAnswer: c.ReferenceAnswer, Rubric: c.Rubric, Tolerance: c.Tolerance,
		Status: bank.Status(i.Status), AuthorID: v.CreatedBy, ReviewerID: i.ReviewerID, ReviewComment: i.ReviewComment,
		Source: v.Source, CreatedAt: i.CreatedAt.UTC(), UpdatedAt: i.UpdatedAt.UTC()}
	if i.PublishedVersion != nil {
		it.PublishedVersion = *i.PublishedVersion
	}
	if v.Version != i.CurrentVersion {
		// An older version: its status is history, not the item's.
		it.Status = bank.Published
		if i.PublishedVersion == nil || v.Version > *i.PublishedVersion {
			it.Status = bank.Draft
		}
	}
	return it, nil
}

func (s *Store) writeVersionRows(ctx context.Context, it bank.Item, replace bool) error {
	v, err := versionRowFrom(it)
	if err != nil {
		return err
	}
	db := s.conn(ctx)
	if replace {
		if err := db.Where("item_id = ? AND version = ?", it.ID, it.Version).Delete(&itemKPRow{}).Error; err != nil {
			return err
		}
		if err := db.Where("item_id = ? AND version = ?", it.ID, it.Version).Delete(&itemTagRow{}).Error; err != nil {
			return err
		}
		if err := db.Where("item_id = ? AND version = ?", it.ID, it.Version).Delete(&itemVersionRow{}).Error; err != nil {
			return err
		}
	}
	if err := db.Create(&v).Error; err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, kp := range it.KnowledgePoints {
		if !seen[kp] {
			seen[kp] = true
			if err := db.Create(&itemKPRow{ItemID: it.ID, Version: it.Version, Path: kp}).Error; err != nil {
				return err
			}
		}
	}
	seen = map[string]bool{}
	for _, tag := range it.Competencies {
		if !seen[tag] {
			seen[tag] = true
			if err := db.Create(&itemTagRow{ItemID: it.ID, Version: it.Version, Tag: tag}).Error; err != nil {
				return err
			}
		}
	}
	return s.indexTerms(ctx, it.ID, it.Stem)
}

// indexTerms replaces an item's search terms with the bigrams of its current stem.
func (s *Store) indexTerms(ctx context.Context, id int64, stem string) error {
	db := s.conn(ctx)
	if err := db.Where("item_id = ?", id).Delete(&itemTermRow{}).Error; err != nil {
		return err
	}
	terms := bank.Bigrams(strings.ToLower(stem))
	rows := make([]itemTermRow, 0, len(terms))
	for t := range terms {
		rows = append(rows, itemTermRow{ItemID: id, Term: t})
	}
	if len(rows) == 0 {
		return nil
	}
	return db.CreateInBatches(rows, 200).Error
}

// CreateItem inserts an item with its first version.
func (s *Store) CreateItem(ctx context.Context, it *bank.Item) error {
	r := itemRow{Ref: it.Ref, Subject: it.Subject, Status: string(it.Status), CurrentVersion: it.Version,
		AuthorID: it.AuthorID, ReviewerID: it.ReviewerID, ReviewComment: it.ReviewComment, CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
	if it.PublishedVersion > 0 {
		pv := it.PublishedVersion
		r.PublishedVersion = &pv
	}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	it.ID = r.ID
	return s.writeVersionRows(ctx, *it, false)
}

// SaveItemVersion writes a version and makes it current with its status.
func (s *Store) SaveItemVersion(ctx context.Context, it bank.Item, replace bool) error {
	if err := s.writeVersionRows(ctx, it, replace); err != nil {
		return err
	}
	return s.SetItemState(ctx, it)
}

// SetItemState updates the item row from it (current version, status, published version, review).
func (s *Store) SetItemState(ctx context.Context, it bank.Item) error {
	var pv *int
	if it.PublishedVersion > 0 {
		v := it.PublishedVersion
		pv = &v
	}
	return s.conn(ctx).Model(&itemRow{}).Where("id = ?", it.ID).Updates(map[string]any{
		"status": string(it.Status), "current_version": it.Version, "published_version": pv,
		"reviewer_id": it.ReviewerID, "review_comment": it.ReviewComment, "updated_at": it.UpdatedAt}).Error
}

// loadItems turns item rows plus a version choice into domain items with their classification.
func (s *Store) loadItems(ctx context.Context, rows []itemRow, version func(itemRow) int) ([]bank.Item, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	db := s.conn(ctx)
	type key struct {
		id int64
		v  int
	}
	var conds []string
	var args []any
	for _, r := range rows {
		conds = append(conds, "(item_id = ? AND version = ?)")
		args = append(args, r.ID, version(r))
	}
	where := strings.Join(conds, " OR ")
	var vs []itemVersionRow
	if err := db.Where(where, args...).Find(&vs).Error; err != nil {
		return nil, err
	}
	var kps []itemKPRow
	if err := db.Where(where, args...).Order("path").Find(&kps).Error; err != nil {
		return nil, err
	}
	var tags []itemTagRow
	if err := db.Where(where, args...).Order("tag").Find(&tags).Error; err != nil {
		return nil, err
	}
	byV := map[key]itemVersionRow{}
	for _, v := range vs {
		byV[key{v.ItemID, v.Version}] = v
	}
	kpOf, tagOf := map[key][]string{}, map[key][]string{}
	for _, k := range kps {
		kpOf[key{k.ItemID, k.Version}] = append(kpOf[key{k.ItemID, k.Version}], k.Path)
	}
	for _, t := range tags {
		tagOf[key{t.ItemID, t.Version}] = append(tagOf[key{t.ItemID, t.Version}], t.Tag)
	}
	out := make([]bank.Item, 0, len(rows))
	for _, r := range rows {
		k := key{r.ID, version(r)}
		v, ok := byV[k]
		if !ok {
			continue
		}
		it, err := toItem(r, v, kpOf[k], tagOf[k])
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

func current(r itemRow) int { return r.CurrentVersion }

func (s *Store) itemWhere(ctx context.Context, q string, arg any) (*bank.Item, error) {
	var rows []itemRow
	if err := s.conn(ctx).Where(q, arg).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	items, err := s.loadItems(ctx, rows, current)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	return &items[0], nil
}

// ItemByID returns an item at its current version, or nil.
func (s *Store) ItemByID(ctx context.Context, id int64) (*bank.Item, error) {
	return s.itemWhere(ctx, "id = ?", id)
}

// ItemByRef returns an item by external id at its current version, or nil.
func (s *Store) ItemByRef(ctx context.Context, ref string) (*bank.Item, error) {
	return s.itemWhere(ctx, "ref = ?", ref)
}

// ItemVersion returns one version of an item, or nil.
func (s *Store) ItemVersion(ctx context.Context, id int64, version int) (*bank.Item, error) {
	var rows []itemRow
	if err := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	items, err := s.loadItems(ctx, rows, func(itemRow) int { return version })
	if err != nil || len(items) == 0 {
		return nil, err
	}
	return &items[0], nil
}

// ItemVersions returns every version of an item, oldest first.
func (s *Store) ItemVersions(ctx context.Context, id int64) ([]bank.Item, error) {
	var rows []itemRow
	if err := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	var out []bank.Item
	for v := 1; v <= rows[0].CurrentVersion; v++ {
		got, err := s.loadItems(ctx, rows, func(itemRow) int { return v })
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// SearchItems filters items on their current version (or, for PublishedOnly, their published one).
func (s *Store) SearchItems(ctx context.Context, f bank.Filter) ([]bank.Item, int64, error) {
	q := s.conn(ctx).Model(&itemRow{})
	verCol := "items.current_version"
	if f.PublishedOnly {
		q = q.Where("items.published_version IS NOT NULL AND items.status <> ?", string(bank.Retired))
		verCol = "items.published_version"
	}
	q = q.Joins("JOIN item_versions v ON v.item_id = items.id AND v.version = " + verCol)
	if f.Subject != "" {
		q = q.Where("items.subject = ?", f.Subject)
	}
	if f.Status != "" {
		q = q.Where("items.status = ?", string(f.Status))
	}
	if f.Type != "" {
		q = q.Where("v.type = ?", string(f.Type))
	}
	if f.Difficulty != 0 {
		q = q.Where("v.difficulty = ?", f.Difficulty)
	}
	if f.Tag != "" {
		q = q.Where("EXISTS (SELECT 1 FROM item_tags t WHERE t.item_id = items.id AND t.version = "+verCol+" AND t.tag = ?)", f.Tag)
	}
	if f.KnowledgePoint != "" {
		q = q.Where("EXISTS (SELECT 1 FROM item_knowledge_points k WHERE k.item_id = items.id AND k.version = "+verCol+
			" AND (k.path = ? OR k.path LIKE ? ESCAPE '\\'))", f.KnowledgePoint, prefixPattern(f.KnowledgePoint+"/"))
	}
	if f.Q != "" {
		q = s.whereTextMatches(q, f.Q)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []itemRow
	if err := q.Select("items.*").Order("items.ref").Offset(pageOffset(f.Page, f.PageSize)).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	version := current
	if f.PublishedOnly {
		version = func(r itemRow) int { return *r.PublishedVersion }
	}
	items, err := s.loadItems(ctx, rows, version)
	return items, total, err
}

// whereTextMatches narrows q to stems containing text: by the bigram index when the text has two
// or more characters (so a two-character Chinese term is enough), confirmed by LIKE.
func (s *Store) whereTextMatches(q *gorm.DB, text string) *gorm.DB {
	lower := strings.ToLower(text)
	grams := bank.Bigrams(lower)
	if len(grams) > 0 {
		terms := make([]string, 0, len(grams))
		for g := range grams {
			terms = append(terms, g)
		}
		q = q.Where("items.id IN (SELECT item_id FROM item_terms WHERE term IN ? GROUP BY item_id HAVING COUNT(*) = ?)", terms, len(terms))
	}
	return q.Where("LOWER(v.stem) LIKE ? ESCAPE '\\'", likePattern(lower))
}
