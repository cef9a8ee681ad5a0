package bank

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path"
	"reflect"
	"strconv"
	"strings"
	"time"

	"qualify/internal/audit"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
)

// Store is what the bank needs from persistence.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// CreateItem inserts a new item at version 1 and sets its ID.
	CreateItem(ctx context.Context, it *Item) error
	// SaveItemVersion writes it as version it.Version (a new row, or replacing that version when
	// replace is true) and makes it the current version with its status.
	SaveItemVersion(ctx context.Context, it Item, replace bool) error
	// SetItemState changes status, published version, reviewer and comment of the current version.
	SetItemState(ctx context.Context, it Item) error
	ItemByID(ctx context.Context, id int64) (*Item, error)
	ItemByRef(ctx context.Context, ref string) (*Item, error)
	ItemVersion(ctx context.Context, id int64, version int) (*Item, error)
	ItemVersions(ctx context.Context, id int64) ([]Item, error)
	SearchItems(ctx context.Context, f Filter) ([]Item, int64, error)
}

// Auditor appends to the audit log in the caller's transaction.
type Auditor interface {
	Record(ctx context.Context, e audit.Entry) error
}

// Service manages the bank: authoring, review, versions, search, import and export.
type Service struct {
	store Store
	audit Auditor
	tax   Taxonomy // the defaults, when no frameworks are stored
	now   func() time.Time
	cache taxCache
}

// NewService returns a bank service over the default taxonomy.
func NewService(s Store, a Auditor) *Service {
	return &Service{store: s, audit: a, tax: DefaultTaxonomy, now: time.Now}
}

func canAuthor(p identity.Principal) bool { return p.Has(identity.RoleExamadmin) }

func forbidden() error {
	return apperr.New(apperr.Forbidden, "forbidden", "只有考试管理员可以维护题库")
}

func invalidItem(ps Problems) error {
	fields := make([]apperr.FieldError, len(ps))
	for i, p := range ps {
		fields[i] = apperr.FieldError{Field: p.Field, Message: p.Message}
	}
	return apperr.InvalidFields("invalid_item", "题目内容校验未通过", fields...)
}

func actorID(p identity.Principal) *int64 {
	if p.UserID == 0 {
		return nil
	}
	id := p.UserID
	return &id
}

func (s *Service) record(ctx context.Context, p identity.Principal, action string, it Item, before, after any) error {
	name := p.Username
	if name == "" {
		name = "system"
	}
	return s.audit.Record(ctx, audit.Entry{ActorID: actorID(p), ActorName: name, Action: action, TargetType: "item",
		TargetID: strconv.FormatInt(it.ID, 10), Before: before, After: after})
}

// summary is what the audit log keeps of an item version.
func summary(it Item) map[string]any {
	return map[string]any{"ref": it.Ref, "version": it.Version, "status": it.Status, "type": it.Type, "stem": truncate(it.Stem, 200)}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func newRef(subject string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	prefix := "q-"
	if sub, ok := SubjectByCode(subject); ok {
		prefix = sub.Prefix
	}
	return prefix + "u-" + hex.EncodeToString(b[:])
}

// Create adds a draft item authored by the actor. Errors: forbidden, invalid_item, ref_taken.
func (s *Service) Create(ctx context.Context, actor identity.Principal, it Item) (Item, error) {
	if !canAuthor(actor) {
		return Item{}, forbidden()
	}
	if it.Ref == "" {
		it.Ref = newRef(it.Subject)
	}
	if ps := it.ValidateDraft(it.Ref, s.taxonomy(ctx)); len(ps) > 0 {
		return Item{}, invalidItem(ps)
	}
	now := s.now().UTC()
	it.ID, it.Version, it.PublishedVersion, it.Status = 0, 1, 0, Draft
	it.AuthorID, it.ReviewerID, it.CreatedAt, it.UpdatedAt = actorID(actor), nil, now, now
	if it.Difficulty == 0 {
		it.Difficulty = 3
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if dup, err := s.store.ItemByRef(ctx, it.Ref); err != nil {
			return apperr.Wrap(err, "find item")
		} else if dup != nil {
			return apperr.InvalidFields("ref_taken", "题目编号已存在", apperr.FieldError{Field: "ref", Message: "编号已存在"})
		}
		if err := s.store.CreateItem(ctx, &it); err != nil {
			return apperr.Wrap(err, "create item")
		}
		return s.record(ctx, actor, "item.create", it, nil, summary(it))
	})
	return it, err
}

func (s *Service) load(ctx context.Context, id int64) (Item, error) {
	it, err := s.store.ItemByID(ctx, id)
	if err != nil {
		return Item{}, apperr.Wrap(err, "find item")
	}
	if it == nil {
		return Item{}, apperr.NotFoundf("题目不存在")
	}
	return *it, nil
}

// Get returns an item's current version (examadmin only: it carries the key).
func (s *Service) Get(ctx context.Context, actor identity.Principal, id int64) (Item, error) {
	if !canAuthor(actor) {
		return Item{}, forbidden()
	}
	return s.load(ctx, id)
}

// Version returns one version of an item, as attempts and statistics that used it see it.
func (s *Service) Version(ctx context.Context, actor identity.Principal, id int64, version int) (Item, error) {
	if !canAuthor(actor) {
		return Item{}, forbidden()
	}
	it, err := s.store.ItemVersion(ctx, id, version)
	if err != nil {
		return Item{}, apperr.Wrap(err, "find item version")
	}
	if it == nil {
		return Item{}, apperr.NotFoundf("题目版本不存在")
	}
	return *it, nil
}

// Versions lists every version of an item, oldest first.
func (s *Service) Versions(ctx context.Context, actor identity.Principal, id int64) ([]Item, error) {
	if !canAuthor(actor) {
		return nil, forbidden()
	}
	if _, err := s.load(ctx, id); err != nil {
		return nil, err
	}
	out, err := s.store.ItemVersions(ctx, id)
	return out, apperr.Wrap(err, "list item versions")
}

// Update edits an item. A draft is edited in place; a published (or retired-free) item gets a
// new version as a draft, while exams keep drawing the published version until the revision is
// approved. Errors: forbidden, invalid_item, item_in_review, item_retired.
func (s *Service) Update(ctx context.Context, actor identity.Principal, id int64, in Item) (Item, error) {
	if !canAuthor(actor) {
		return Item{}, forbidden()
	}
	cur, err := s.load(ctx, id)
	if err != nil {
		return Item{}, err
	}
	switch cur.Status {
	case InReview:
		return Item{}, apperr.New(apperr.Conflict, "item_in_review", "题目正在审核中，请先退回再修改")
	case Retired:
		return Item{}, apperr.New(apperr.Conflict, "item_retired", "题目已停用，不能修改")
	}
	in.ID, in.Ref, in.Subject = cur.ID, cur.Ref, cur.Subject
	if in.Difficulty == 0 {
		in.Difficulty = cur.Difficulty
	}
	if ps := in.ValidateDraft(cur.Ref, s.taxonomy(ctx)); len(ps) > 0 {
		return Item{}, invalidItem(ps)
	}
	if sameContent(cur, in) {
		return cur, nil
	}
	now := s.now().UTC()
	in.PublishedVersion, in.Status, in.AuthorID, in.CreatedAt, in.UpdatedAt = cur.PublishedVersion, Draft, actorID(actor), now, now
	replace := cur.Status == Draft
	in.Version = cur.Version
	if !replace {
		in.Version = cur.Version + 1
	}
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.SaveItemVersion(ctx, in, replace); err != nil {
			return apperr.Wrap(err, "save item version")
		}
		return s.record(ctx, actor, "item.update", in, summary(cur), summary(in))
	})
	return in, err
}

// sameContent reports whether two versions say the same thing (metadata of the lifecycle aside).
func sameContent(a, b Item) bool {
	strip := func(x Item) Item {
		x.ID, x.Version, x.PublishedVersion, x.Status, x.AuthorID, x.ReviewerID, x.ReviewComment = 0, 0, 0, "", nil, nil, ""
		x.CreatedAt, x.UpdatedAt, x.Source, x.Measured = time.Time{}, time.Time{}, "", nil
		if x.Scoring == AllOrNothing {
			x.Scoring = ""
		}
		if len(x.Basis) == 0 {
			x.Basis = nil
		}
		return x
	}
	return reflect.DeepEqual(strip(a), strip(b))
}

func (s *Service) transition(ctx context.Context, actor identity.Principal, id int64, from []Status, action string,
	apply func(it *Item) error) (Item, error) {
	if !canAuthor(actor) {
		return Item{}, forbidden()
	}
	var out Item
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		it, err := s.load(ctx, id)
		if err != nil {
			return err
		}
		ok := false
		for _, f := range from {
			ok = ok || it.Status == f
		}
		if !ok {
			return apperr.New(apperr.Conflict, "invalid_transition", fmt.Sprintf("题目当前状态为 %s，不能执行此操作", statusName(it.Status)))
		}
		before := summary(it)
		if err := apply(&it); err != nil {
			return err
		}
		it.UpdatedAt = s.now().UTC()
		if err := s.store.SetItemState(ctx, it); err != nil {
			return apperr.Wrap(err, "set item state")
		}
		out = it
		return s.record(ctx, actor, action, it, before, summary(it))
	})
	return out, err
}

func statusName(st Status) string {
	return map[Status]string{Draft: "草稿", InReview: "待审核", Published: "已发布", Retired: "已停用"}[st]
}

// Submit sends a draft for review; it must be complete (strict validation). Errors:
// invalid_transition, invalid_item.
func (s *Service) Submit(ctx context.Context, actor identity.Principal, id int64) (Item, error) {
	return s.transition(ctx, actor, id, []Status{Draft}, "item.submit", func(it *Item) error {
		if ps := it.Validate(it.Ref, s.taxonomy(ctx)); len(ps) > 0 {
			return invalidItem(ps)
		}
		it.Status = InReview
		return nil
	})
}

// Approve publishes the version under review; the reviewer may not be its author.
// Errors: invalid_transition, reviewer_is_author.
func (s *Service) Approve(ctx context.Context, actor identity.Principal, id int64, comment string) (Item, error) {
	return s.transition(ctx, actor, id, []Status{InReview}, "item.approve", func(it *Item) error {
		if it.AuthorID != nil && *it.AuthorID == actor.UserID {
			return apperr.New(apperr.Forbidden, "reviewer_is_author", "审核人不能是题目的作者")
		}
		it.Status, it.PublishedVersion, it.ReviewerID, it.ReviewComment = Published, it.Version, actorID(actor), comment
		return nil
	})
}

// Reject returns the version under review to its author as a draft, with a comment.
func (s *Service) Reject(ctx context.Context, actor identity.Principal, id int64, comment string) (Item, error) {
	if strings.TrimSpace(comment) == "" {
		return Item{}, apperr.InvalidFields("validation_failed", "退回须说明理由", apperr.FieldError{Field: "comment", Message: "必填"})
	}
	return s.transition(ctx, actor, id, []Status{InReview}, "item.reject", func(it *Item) error {
		if it.AuthorID != nil && *it.AuthorID == actor.UserID {
			return apperr.New(apperr.Forbidden, "reviewer_is_author", "审核人不能是题目的作者")
		}
		it.Status, it.ReviewerID, it.ReviewComment = Draft, actorID(actor), comment
		return nil
	})
}

// Retire withdraws an item from future papers; attempts that used it keep their version.
func (s *Service) Retire(ctx context.Context, actor identity.Principal, id int64, reason string) (Item, error) {
	return s.transition(ctx, actor, id, []Status{Draft, InReview, Published}, "item.retire", func(it *Item) error {
		it.Status, it.ReviewComment = Retired, reason
		return nil
	})
}

// Search finds items by filter; Q finds a term of two or more characters anywhere in the stem.
func (s *Service) Search(ctx context.Context, actor identity.Principal, f Filter) ([]Item, int64, error) {
	if !canAuthor(actor) {
		return nil, 0, forbidden()
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PageSize < 1 || f.PageSize > 200 {
		f.PageSize = 20
	}
	f.Q = strings.TrimSpace(f.Q)
	if len([]rune(f.Q)) > 100 {
		return nil, 0, apperr.InvalidFields("validation_failed", "搜索词过长", apperr.FieldError{Field: "q", Message: "不超过 100 字"})
	}
	items, total, err := s.store.SearchItems(ctx, f)
	return items, total, apperr.Wrap(err, "search items")
}

// ImportResult says what an import did or would have done.
type ImportResult struct {
	Imported  int // new items
	Updated   int // existing items given a new version
	Unchanged int
	Problems  Problems // any problem: nothing was written
	Warnings  Problems // content the format holds that Qualify cannot represent, not imported
}

// Formats maps a file extension to its parser.
func parserFor(name string) (func(name string, data []byte, subject string, tax Taxonomy) ([]Item, Problems, Problems), bool) {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml":
		return func(name string, data []byte, subject string, tax Taxonomy) ([]Item, Problems, Problems) {
			items, ps := ParseYAML(name, data, tax)
			for _, it := range items {
				if subject != "" && it.Subject != "" && it.Subject != subject {
					ps = append(ps, Problem{Location: it.Source, Field: "subject", Message: fmt.Sprintf("文件科目 %s 与所选科目 %s 不一致", it.Subject, subject)})
					break
				}
			}
			return items, ps, nil
		}, true
	}
	return formatParser(name)
}

// Import reads one file (format from its extension) and, when every item is valid, writes them
// all in one transaction: new refs become items, known refs get a new version when their
// content differs. publish makes new content published at once (the operator's import of the
// reviewed repository bank); otherwise imports are drafts for review.
func (s *Service) Import(ctx context.Context, actor identity.Principal, name string, data []byte, subject string, publish bool) (ImportResult, error) {
	system := actor.UserID == 0 && actor.Username == "system"
	if !system && !canAuthor(actor) {
		return ImportResult{}, forbidden()
	}
	if subject != "" {
		if _, ok := SubjectByCode(subject); !ok {
			return ImportResult{}, apperr.InvalidFields("validation_failed", "未知科目", apperr.FieldError{Field: "subject", Message: "未知科目 " + subject})
		}
	}
	parse, ok := parserFor(name)
	if !ok {
		return ImportResult{}, apperr.InvalidFields("unsupported_format", "不支持的文件格式（支持 .yaml、.gift、.xml、.zip、.xlsx）",
			apperr.FieldError{Field: "file", Message: "不支持的扩展名 " + path.Ext(name)})
	}
	if subject == "" && !strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".yml") {
		return ImportResult{}, apperr.InvalidFields("validation_failed", "导入此格式须指定科目", apperr.FieldError{Field: "subject", Message: "必填"})
	}
	items, problems, warnings := parse(name, data, subject, s.taxonomy(ctx))
	res := ImportResult{Problems: problems, Warnings: warnings}
	if len(problems) == 0 && len(items) == 0 {
		res.Problems = Problems{{Location: name, Message: "文件中没有可导入的题目"}}
	}
	if len(res.Problems) > 0 {
		return res, nil
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		for _, it := range items {
			if it.Difficulty == 0 {
				it.Difficulty = 3
			}
			n, err := s.importOne(ctx, actor, it, publish)
			if err != nil {
				return err
			}
			switch n {
			case "new":
				res.Imported++
			case "updated":
				res.Updated++
			default:
				res.Unchanged++
			}
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: actorID(actor), ActorName: nameOf(actor), Action: "item.import", TargetType: "file",
			TargetID: name, After: map[string]int{"imported": res.Imported, "updated": res.Updated, "unchanged": res.Unchanged, "warnings": len(res.Warnings)}})
	})
	return res, err
}

func nameOf(p identity.Principal) string {
	if p.Username == "" {
		return "system"
	}
	return p.Username
}

func (s *Service) importOne(ctx context.Context, actor identity.Principal, it Item, publish bool) (string, error) {
	now := s.now().UTC()
	status := Draft
	if publish {
		status = Published
	}
	cur, err := s.store.ItemByRef(ctx, it.Ref)
	if err != nil {
		return "", apperr.Wrap(err, "find item")
	}
	it.AuthorID, it.CreatedAt, it.UpdatedAt, it.Status = actorID(actor), now, now, status
	if cur == nil {
		if it.Ref == "" {
			it.Ref = newRef(it.Subject)
		}
		it.Version = 1
		if publish {
			it.PublishedVersion = 1
		}
		if err := s.store.CreateItem(ctx, &it); err != nil {
			return "", apperr.Wrap(err, "create item")
		}
		return "new", s.record(ctx, actor, "item.create", it, nil, summary(it))
	}
	if cur.Subject != it.Subject {
		return "", apperr.InvalidFields("import_invalid", "题目编号已被其他科目使用",
			apperr.FieldError{Field: it.Ref, Message: fmt.Sprintf("编号 %s 已属于科目 %s", it.Ref, cur.Subject)})
	}
	if sameContent(*cur, it) && (!publish || cur.PublishedVersion == cur.Version) {
		return "unchanged", nil
	}
	it.ID = cur.ID
	it.PublishedVersion = cur.PublishedVersion
	if sameContent(*cur, it) {
		it.Version = cur.Version
	} else {
		it.Version = cur.Version + 1
	}
	if publish {
		it.PublishedVersion = it.Version
	}
	if err := s.store.SaveItemVersion(ctx, it, it.Version == cur.Version); err != nil {
		return "", apperr.Wrap(err, "save item version")
	}
	return "updated", s.record(ctx, actor, "item.update", it, summary(*cur), summary(it))
}

// Export writes the subject's items (current versions, retired excluded) in a format:
// yaml, gift, moodlexml, qti or xlsx. It returns the bytes, a file name and a content type.
func (s *Service) Export(ctx context.Context, actor identity.Principal, format, subject string) ([]byte, string, string, error) {
	if !canAuthor(actor) {
		return nil, "", "", forbidden()
	}
	if _, ok := SubjectByCode(subject); !ok {
		return nil, "", "", apperr.InvalidFields("validation_failed", "请选择科目", apperr.FieldError{Field: "subject", Message: "未知科目"})
	}
	var items []Item
	for page := 1; ; page++ {
		got, total, err := s.store.SearchItems(ctx, Filter{Subject: subject, Page: page, PageSize: 500})
		if err != nil {
			return nil, "", "", apperr.Wrap(err, "list items")
		}
		for _, it := range got {
			if it.Status != Retired {
				items = append(items, it)
			}
		}
		if int64(page*500) >= total {
			break
		}
	}
	return exportAs(format, subject, items)
}

// Stats returns an item's recorded statistics per exam and version, newest first; flags say
// which call for review (domain.md §8).
func (s *Service) Stats(ctx context.Context, actor identity.Principal, id int64) ([]VersionStats, error) {
	if !canAuthor(actor) {
		return nil, forbidden()
	}
	if _, err := s.load(ctx, id); err != nil {
		return nil, err
	}
	st, ok := s.store.(interface {
		ItemStats(ctx context.Context, itemID int64) ([]VersionStats, error)
	})
	if !ok {
		return nil, apperr.New(apperr.Internal, "internal", "服务器内部错误")
	}
	out, err := st.ItemStats(ctx, id)
	return out, apperr.Wrap(err, "item stats")
}
