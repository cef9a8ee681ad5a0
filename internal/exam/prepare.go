package exam

import (
	"context"

	"qualify/internal/identity"
	"qualify/internal/platform/apperr"
)

// PrepStore keeps papers generated ahead of an exam's opening.
type PrepStore interface {
	// EligibleCadres lists the cadres an eligibility rule admits (all cadres when it is empty).
	EligibleCadres(ctx context.Context, el Eligibility) ([]int64, error)
	SavePreparedPapers(ctx context.Context, examID int64, papers map[int64]Paper, attemptNo map[int64]int) error
	// TakePreparedPaper removes and returns the paper prepared for a cadre's attempt, if any.
	TakePreparedPaper(ctx context.Context, examID, cadreID int64, attemptNo int) (*Paper, error)
}

// PrepareResult says how many papers were generated ahead of time.
type PrepareResult struct {
	Candidates int
	Prepared   int
}

// PreparePapers generates a paper for every eligible candidate of a published exam who has no
// attempt in progress, so that the start of a large exam reads a stored paper instead of
// assembling one. Each paper keeps its seed, so it can be regenerated like any other.
func (s *Service) PreparePapers(ctx context.Context, actor identity.Principal, examID int64) (PrepareResult, error) {
	if !isAdmin(actor) {
		return PrepareResult{}, forbidden("只有考试管理员可以预生成试卷")
	}
	ps, ok := s.store.(PrepStore)
	if !ok {
		return PrepareResult{}, apperr.New(apperr.Internal, "internal", "服务器内部错误")
	}
	e, err := s.load(ctx, examID)
	if err != nil {
		return PrepareResult{}, err
	}
	if e.Status != Published {
		return PrepareResult{}, apperr.New(apperr.FailedPrecondition, "exam_not_published", "只能为已发布的考试预生成试卷")
	}
	cadres, err := ps.EligibleCadres(ctx, e.Eligibility)
	if err != nil {
		return PrepareResult{}, apperr.Wrap(err, "eligible cadres")
	}
	pool, err := s.pool(ctx, e.SubjectCode)
	if err != nil {
		return PrepareResult{}, apperr.Wrap(err, "pool")
	}
	res := PrepareResult{Candidates: len(cadres)}
	const batch = 200
	for start := 0; start < len(cadres); start += batch {
		end := min(start+batch, len(cadres))
		papers, nos := map[int64]Paper{}, map[int64]int{}
		for _, c := range cadres[start:end] {
			atts, err := s.store.AttemptsOf(ctx, e.ID, c)
			if err != nil {
				return res, apperr.Wrap(err, "attempts")
			}
			if n := len(atts); n > 0 && atts[n-1].Status == InProgress {
				continue
			}
			seen := map[int64]bool{}
			for _, a := range atts {
				for _, q := range a.Paper.Questions {
					seen[q.ItemID] = true
				}
			}
			p, err := Assemble(e.Blueprint, pool, newSeed(), seen)
			if err != nil {
				return res, apperr.Wrap(err, "assemble")
			}
			papers[c], nos[c] = p, len(atts)+1
		}
		if err := ps.SavePreparedPapers(ctx, e.ID, papers, nos); err != nil {
			return res, apperr.Wrap(err, "save prepared papers")
		}
		res.Prepared += len(papers)
	}
	return res, s.record(ctx, actor, "exam.papers.prepare", "exam", e.ID, nil, map[string]int{"prepared": res.Prepared})
}

// preparedOr returns the paper prepared for this attempt, or assembles one.
func (s *Service) preparedOr(ctx context.Context, e Exam, cadreID int64, attemptNo int, assemble func() (Paper, error)) (Paper, error) {
	if ps, ok := s.store.(PrepStore); ok {
		p, err := ps.TakePreparedPaper(ctx, e.ID, cadreID, attemptNo)
		if err != nil {
			return Paper{}, apperr.Wrap(err, "prepared paper")
		}
		if p != nil {
			return *p, nil
		}
	}
	return assemble()
}
