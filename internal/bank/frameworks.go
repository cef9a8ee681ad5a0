package bank

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"qualify/internal/audit"
	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
)

// settingStore reads and writes named settings (the competency frameworks live in one).
type settingStore interface {
	GetSetting(ctx context.Context, key string) (string, bool, error)
	PutSetting(ctx context.Context, key, value string, by int64, at time.Time) error
}

const frameworksKey = "competency_frameworks"

// frameworksCacheTTL bounds how long an instance uses frameworks another instance replaced.
const frameworksCacheTTL = 5 * time.Second

type taxCache struct {
	mu     sync.Mutex
	tax    Taxonomy
	loaded time.Time
}

var codeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Validate checks a taxonomy: codes are lower-case identifiers, unique, and every name is set.
func (t Taxonomy) Validate() []apperr.FieldError {
	var fe []apperr.FieldError
	if len(t.Frameworks) == 0 {
		fe = append(fe, apperr.FieldError{Field: "frameworks", Message: "至少需要一个能力框架"})
	}
	seen := map[string]bool{}
	for i, f := range t.Frameworks {
		at := fmt.Sprintf("frameworks[%d]", i)
		if !codeRe.MatchString(f.Code) || seen[f.Code] {
			fe = append(fe, apperr.FieldError{Field: at + ".code", Message: "代码须为小写字母开头的字母、数字、下划线，且不重复"})
		}
		seen[f.Code] = true
		if strings.TrimSpace(f.Name) == "" {
			fe = append(fe, apperr.FieldError{Field: at + ".name", Message: "名称必填"})
		}
		inner := map[string]bool{}
		for j, c := range f.Items {
			if !codeRe.MatchString(c.Code) || inner[c.Code] || strings.TrimSpace(c.Name) == "" {
				fe = append(fe, apperr.FieldError{Field: fmt.Sprintf("%s.items[%d]", at, j), Message: "能力代码须唯一且为小写标识符，名称必填"})
			}
			inner[c.Code] = true
		}
	}
	return fe
}

// taxonomy returns the frameworks in force: the stored ones, else the defaults of domain.md §4.
func (s *Service) taxonomy(ctx context.Context) Taxonomy {
	st, ok := s.store.(settingStore)
	if !ok {
		return s.tax
	}
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if !s.cache.loaded.IsZero() && s.now().Sub(s.cache.loaded) < frameworksCacheTTL {
		return s.cache.tax
	}
	tax := s.tax
	if v, ok, err := st.GetSetting(ctx, frameworksKey); err == nil && ok {
		var t Taxonomy
		if json.Unmarshal([]byte(v), &t) == nil && len(t.Validate()) == 0 {
			tax = t
		}
	}
	s.cache.tax, s.cache.loaded = tax, s.now()
	return tax
}

// Frameworks returns the competency frameworks in force.
func (s *Service) Frameworks(ctx context.Context) Taxonomy { return s.taxonomy(ctx) }

// SetFrameworks replaces the competency frameworks (examadmin); audited. Items already tagged
// keep their tags; a tag no longer defined is reported when such an item is next validated.
func (s *Service) SetFrameworks(ctx context.Context, actor identity.Principal, t Taxonomy) (Taxonomy, error) {
	if !canAuthor(actor) {
		return Taxonomy{}, forbidden()
	}
	if fe := t.Validate(); len(fe) > 0 {
		return Taxonomy{}, apperr.InvalidFields("validation_failed", "能力框架校验未通过", fe...)
	}
	st, ok := s.store.(settingStore)
	if !ok {
		return Taxonomy{}, apperr.New(apperr.Internal, "internal", "服务器内部错误")
	}
	b, _ := json.Marshal(t)
	before := s.taxonomy(ctx)
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		if err := st.PutSetting(ctx, frameworksKey, string(b), actor.UserID, s.now().UTC()); err != nil {
			return apperr.Wrap(err, "store frameworks")
		}
		return s.audit.Record(ctx, audit.Entry{ActorID: actorID(actor), ActorName: actor.Username, Action: "bank.frameworks.update",
			TargetType: "setting", TargetID: frameworksKey, Before: len(before.Frameworks), After: t})
	})
	if err != nil {
		return Taxonomy{}, err
	}
	s.cache.mu.Lock()
	s.cache.loaded = time.Time{}
	s.cache.mu.Unlock()
	return t, nil
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }
