package demo

import (
	"context"
	"fmt"
	"time"

	"qualify/internal/app"
	"qualify/internal/bank"
	"qualify/internal/exam"
	"qualify/internal/identity"
)

// DemoBlueprint is the 100-point paper of every demo exam: 20 single choice, 10 multiple
// choice, 10 true/false, 2 short answers and 1 case analysis.
func DemoBlueprint() exam.Blueprint {
	return exam.Blueprint{Sections: []exam.Section{
		{Type: bank.Single, Count: 20, Points: 1},
		{Type: bank.Multiple, Count: 10, Points: 2},
		{Type: bank.TrueFalse, Count: 10, Points: 1},
		{Type: bank.ShortAnswer, Count: 2, Points: 10},
		{Type: bank.CaseAnalysis, Count: 1, Points: 30},
	}, Tolerance: 0.3}
}

// loadExams publishes one exam per subject, open now for 60 days, which every demo cadre
// (cadre001 included) may sit; an existing demo exam of the same title is kept.
func loadExams(ctx context.Context, a *app.App) (int, error) {
	admin, err := a.Store.UserByUsername(ctx, "examadmin")
	if err != nil || admin == nil {
		return 0, fmt.Errorf("demo exams need the examadmin account: %v", err)
	}
	actor := identity.Principal{UserID: admin.ID, Username: admin.Username, Roles: admin.Roles, OrgID: admin.OrgID}
	existing, err := a.Exams.List(ctx, actor)
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for _, e := range existing {
		have[e.Title] = e.Status != exam.Draft
	}
	now := time.Now().UTC().Truncate(time.Hour)
	n := 0
	for _, s := range bank.Subjects {
		title := s.Name + "资格考试（演示）"
		if have[title] {
			n++
			continue
		}
		e, err := a.Exams.Create(ctx, actor, exam.Exam{Title: title, SubjectCode: s.Code, DurationMinutes: 120,
			OpensAt: now.Add(-24 * time.Hour), ClosesAt: now.Add(60 * 24 * time.Hour), PassScore: 60, MaxAttempts: 2,
			Blueprint: DemoBlueprint(), ReviewPolicy: exam.ReviewScore})
		if err != nil {
			return n, fmt.Errorf("demo exam %s: %w", s.Code, err)
		}
		if _, err := a.Exams.Publish(ctx, actor, e.ID); err != nil {
			return n, fmt.Errorf("publish demo exam %s: %w", s.Code, err)
		}
		n++
	}
	return n, nil
}
