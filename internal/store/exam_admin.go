package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"qualify/internal/bank"
	"qualify/internal/exam"
)

type accommodationRow struct {
	ID           int64 `gorm:"primaryKey"`
	ExamID       int64
	CadreID      int64
	Kind         string
	ExtraMinutes int
	Reason       string
	ApproverID   int64
	CreatedAt    time.Time
}

func (accommodationRow) TableName() string { return "accommodations" }

// AddAccommodation inserts an accommodation and sets its ID.
func (s *Store) AddAccommodation(ctx context.Context, a *exam.Accommodation) error {
	r := accommodationRow{ExamID: a.ExamID, CadreID: a.CadreID, Kind: string(a.Kind), ExtraMinutes: a.ExtraMinutes, Reason: a.Reason,
		ApproverID: a.ApproverID, CreatedAt: a.CreatedAt}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return err
	}
	a.ID = r.ID
	return nil
}

// Accommodations returns a candidate's accommodations for an exam.
func (s *Store) Accommodations(ctx context.Context, examID, cadreID int64) ([]exam.Accommodation, error) {
	var rows []accommodationRow
	if err := s.conn(ctx).Where("exam_id = ? AND cadre_id = ?", examID, cadreID).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]exam.Accommodation, len(rows))
	for i, r := range rows {
		out[i] = exam.Accommodation{ID: r.ID, ExamID: r.ExamID, CadreID: r.CadreID, Kind: exam.AccommodationKind(r.Kind),
			ExtraMinutes: r.ExtraMinutes, Reason: r.Reason, ApproverID: r.ApproverID, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// ExtendDeadline moves an in-progress attempt's deadline.
func (s *Store) ExtendDeadline(ctx context.Context, attemptID int64, deadline time.Time) error {
	return s.conn(ctx).Model(&attemptRow{}).Where("id = ? AND status = ?", attemptID, string(exam.InProgress)).
		Update("deadline", deadline.UTC()).Error
}

// AttemptsOfExam returns every attempt of an exam.
func (s *Store) AttemptsOfExam(ctx context.Context, examID int64) ([]exam.Attempt, error) {
	return s.attemptsWhere(ctx, "exam_id = ?", examID)
}

// Sittings returns an exam's attempts with candidate name, unit, integrity and answer counts.
func (s *Store) Sittings(ctx context.Context, examID int64) ([]exam.Sitting, error) {
	atts, err := s.AttemptsOfExam(ctx, examID)
	if err != nil || len(atts) == 0 {
		return nil, err
	}
	var info []struct {
		AttemptID int64
		Name      string
		OrgName   string
		Events    int
		Answered  int
	}
	err = s.conn(ctx).Raw(`SELECT a.id AS attempt_id, c.name, o.name AS org_name,
			(SELECT COUNT(*) FROM integrity_events ie WHERE ie.attempt_id = a.id) AS events,
			(SELECT COUNT(*) FROM attempt_answers aa WHERE aa.attempt_id = a.id AND aa.answer <> 'null') AS answered
		FROM attempts a JOIN cadres c ON c.id = a.cadre_id JOIN orgs o ON o.id = c.org_id WHERE a.exam_id = ?`, examID).Scan(&info).Error
	if err != nil {
		return nil, err
	}
	byID := map[int64]int{}
	for i, x := range info {
		byID[x.AttemptID] = i
	}
	out := make([]exam.Sitting, 0, len(atts))
	for _, a := range atts {
		x := info[byID[a.ID]]
		out = append(out, exam.Sitting{Attempt: a, CadreName: x.Name, OrgName: x.OrgName, IntegrityCount: x.Events, Answered: x.Answered})
	}
	return out, nil
}

type itemStatRow struct {
	ItemID         int64 `gorm:"primaryKey;autoIncrement:false"`
	Version        int   `gorm:"primaryKey;autoIncrement:false"`
	ExamID         int64 `gorm:"primaryKey;autoIncrement:false"`
	N              int   `gorm:"column:n"`
	Facility       float64
	Discrimination float64
	PointBiserial  float64
	OptionCounts   string
	Flags          string
	ComputedAt     time.Time
}

func (itemStatRow) TableName() string { return "item_stats" }

// SaveItemStats replaces an exam's item statistics, each kept with the item version it describes.
func (s *Store) SaveItemStats(ctx context.Context, examID int64, stats []exam.ItemStat) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.conn(ctx).Where("exam_id = ?", examID).Delete(&itemStatRow{}).Error; err != nil {
			return err
		}
		now := time.Now().UTC()
		rows := make([]itemStatRow, 0, len(stats))
		for _, st := range stats {
			oc, _ := json.Marshal(st.Stats.OptionCounts)
			rows = append(rows, itemStatRow{ItemID: st.ItemID, Version: st.Version, ExamID: examID, N: st.Stats.N,
				Facility: st.Stats.Facility, Discrimination: st.Stats.Discrimination, PointBiserial: st.Stats.PointBiserial,
				OptionCounts: string(oc), Flags: strings.Join(st.Stats.Flags, "；"), ComputedAt: now})
		}
		if len(rows) == 0 {
			return nil
		}
		return s.conn(ctx).CreateInBatches(rows, 200).Error
	})
}

// ItemStats returns the statistics recorded for an item in every exam, newest first.
func (s *Store) ItemStats(ctx context.Context, itemID int64) ([]bank.VersionStats, error) {
	var rows []itemStatRow
	if err := s.conn(ctx).Where("item_id = ?", itemID).Order("computed_at DESC, exam_id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]bank.VersionStats, len(rows))
	for i, r := range rows {
		st := bank.Stats{N: r.N, Facility: r.Facility, Discrimination: r.Discrimination, PointBiserial: r.PointBiserial, OptionCounts: map[string]int{}}
		_ = json.Unmarshal([]byte(r.OptionCounts), &st.OptionCounts)
		if r.Flags != "" {
			st.Flags = strings.Split(r.Flags, "；")
		}
		out[i] = bank.VersionStats{ExamID: r.ExamID, Version: r.Version, Stats: st, ComputedAt: r.ComputedAt.UTC()}
	}
	return out, nil
}

// MarkerAgreement returns, per marker, how many first and second marks they gave, how often
// their pair agreed within tolerance, and their mean distance from the final score.
func (s *Store) MarkerAgreement(ctx context.Context) ([]exam.MarkerStat, error) {
	var rows []struct {
		MarkerID   int64
		Username   string
		Role       string
		Points     float64
		TaskID     int64
		FinalScore *float64
		Tolerance  float64
	}
	err := s.conn(ctx).Raw(`SELECT m.marker_id, u.username, m.role, m.points, m.task_id, t.final_score, t.tolerance
		FROM marks m JOIN marking_tasks t ON t.id = m.task_id JOIN users u ON u.id = m.marker_id ORDER BY m.marker_id`).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	pair := map[int64]map[string]float64{}
	for _, r := range rows {
		if pair[r.TaskID] == nil {
			pair[r.TaskID] = map[string]float64{}
		}
		pair[r.TaskID][r.Role] = r.Points
	}
	stats := map[int64]*exam.MarkerStat{}
	var order []int64
	for _, r := range rows {
		st, ok := stats[r.MarkerID]
		if !ok {
			st = &exam.MarkerStat{MarkerID: r.MarkerID, Username: r.Username}
			stats[r.MarkerID] = st
			order = append(order, r.MarkerID)
		}
		st.Marks++
		if r.Role == "first" || r.Role == "second" {
			p := pair[r.TaskID]
			if f, ok1 := p["first"]; ok1 {
				if sc, ok2 := p["second"]; ok2 {
					st.Paired++
					if d := f - sc; d <= r.Tolerance && -d <= r.Tolerance {
						st.Agreed++
					}
				}
			}
		}
		if r.FinalScore != nil {
			d := r.Points - *r.FinalScore
			if d < 0 {
				d = -d
			}
			st.DeviationSum += d
			st.Finalized++
		}
	}
	out := make([]exam.MarkerStat, 0, len(order))
	for _, id := range order {
		out = append(out, *stats[id])
	}
	return out, nil
}

type preparedPaperRow struct {
	ExamID    int64 `gorm:"primaryKey;autoIncrement:false"`
	CadreID   int64 `gorm:"primaryKey;autoIncrement:false"`
	AttemptNo int   `gorm:"primaryKey;autoIncrement:false"`
	Seed      int64
	Paper     string
	CreatedAt time.Time
}

func (preparedPaperRow) TableName() string { return "prepared_papers" }

// EligibleCadres lists the cadres an exam's eligibility admits (every cadre when it is empty).
func (s *Store) EligibleCadres(ctx context.Context, el exam.Eligibility) ([]int64, error) {
	var ids []int64
	if len(el.OrgIDs) == 0 && len(el.PostLevels) == 0 && len(el.Ranks) == 0 && len(el.CadreIDs) > 0 {
		return el.CadreIDs, nil
	}
	q := s.conn(ctx).Table("cadres c").Joins("JOIN orgs o ON o.id = c.org_id")
	if len(el.PostLevels) > 0 {
		q = q.Where("c.post_level IN ?", el.PostLevels)
	}
	if len(el.Ranks) > 0 {
		q = q.Where("c.rank_code IN ?", el.Ranks)
	}
	if len(el.OrgIDs) > 0 {
		var paths []string
		if err := s.conn(ctx).Model(&orgRow{}).Where("id IN ?", el.OrgIDs).Pluck("path", &paths).Error; err != nil {
			return nil, err
		}
		if len(paths) == 0 {
			return el.CadreIDs, nil
		}
		var conds []string
		var args []any
		for _, p := range paths {
			conds = append(conds, "o.path LIKE ?")
			args = append(args, prefixPattern(p))
		}
		q = q.Where("("+strings.Join(conds, " OR ")+")", args...)
	}
	if err := q.Order("c.id").Pluck("c.id", &ids).Error; err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	for _, id := range el.CadreIDs {
		if !seen[id] {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// SavePreparedPapers stores papers generated ahead of time, replacing older preparations.
func (s *Store) SavePreparedPapers(ctx context.Context, examID int64, papers map[int64]exam.Paper, attemptNo map[int64]int) error {
	if len(papers) == 0 {
		return nil
	}
	return s.InTx(ctx, func(ctx context.Context) error {
		ids := make([]int64, 0, len(papers))
		rows := make([]preparedPaperRow, 0, len(papers))
		now := time.Now().UTC()
		for c, p := range papers {
			b, err := json.Marshal(p.Questions)
			if err != nil {
				return err
			}
			ids = append(ids, c)
			rows = append(rows, preparedPaperRow{ExamID: examID, CadreID: c, AttemptNo: attemptNo[c], Seed: int64(p.Seed), Paper: string(b), CreatedAt: now})
		}
		if err := s.conn(ctx).Where("exam_id = ? AND cadre_id IN ?", examID, ids).Delete(&preparedPaperRow{}).Error; err != nil {
			return err
		}
		return s.conn(ctx).CreateInBatches(rows, 100).Error
	})
}

// TakePreparedPaper removes and returns the paper prepared for a cadre's attempt, if any.
func (s *Store) TakePreparedPaper(ctx context.Context, examID, cadreID int64, attemptNo int) (*exam.Paper, error) {
	var rows []preparedPaperRow
	q := s.conn(ctx).Where("exam_id = ? AND cadre_id = ? AND attempt_no = ?", examID, cadreID, attemptNo)
	if err := q.Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	res := s.conn(ctx).Where("exam_id = ? AND cadre_id = ? AND attempt_no = ?", examID, cadreID, attemptNo).Delete(&preparedPaperRow{})
	if res.Error != nil || res.RowsAffected == 0 {
		return nil, res.Error // another start took it first
	}
	p := exam.Paper{Seed: uint64(rows[0].Seed)}
	return &p, json.Unmarshal([]byte(rows[0].Paper), &p.Questions)
}
