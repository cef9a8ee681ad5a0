package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"qualify/internal/app"
	"qualify/internal/identity"
	"qualify/internal/training"
)

// demoSurveyTitle names the demo training needs survey; loading finds it again by this title.
const demoSurveyTitle = "2027 年度乡镇干部教育培训需求调查（演示）"

// demoSurvey is the questionnaire: topics, time slots, modes, a rating and the biggest difficulty.
func demoSurvey(target int64, now time.Time) training.Survey {
	opts := func(texts ...string) []training.SurveyOption {
		out := make([]training.SurveyOption, len(texts))
		for i, t := range texts {
			out[i] = training.SurveyOption{Text: t}
		}
		return out
	}
	return training.Survey{Title: demoSurveyTitle,
		Intro:   "为科学制定下一年度干部教育培训计划，请结合工作实际填写。结果匿名统计，仅用于改进培训。",
		OpensAt: now.Add(-7 * 24 * time.Hour), ClosesAt: now.Add(45 * 24 * time.Hour),
		Target: training.SurveyTarget{OrgID: &target, PostLevels: []string{"township_principal", "township_deputy"}},
		Questions: []training.SurveyQuestion{
			{Key: "topics", Kind: training.MultipleChoice, Text: "您最希望学习的专题（可多选）", Required: true,
				Options: opts("习近平新时代中国特色社会主义思想", "党的建设", "乡村振兴", "基层治理", "应急管理", "依法行政", "数字政府")},
			{Key: "slots", Kind: training.MultipleChoice, Text: "您方便参加培训的时段（可多选）", Required: true, Options: opts("工作日晚上", "周六", "周日", "节假日")},
			{Key: "mode", Kind: training.SingleChoice, Text: "您最希望的培训方式", Required: true, Options: opts("脱产培训", "集中培训", "网络培训", "自学")},
			{Key: "usefulness", Kind: training.Rating, Text: "您对近两年所参加培训实用性的评价（1-5 分）"},
			{Key: "difficulty", Kind: training.FreeText, Text: "您当前工作中遇到的最大困难"},
		}}
}

var demoDifficulties = []string{"", "", "基层事务繁杂，难以抽出整块时间学习", "应急处置经验不足", "政策更新快，理解把握不够准确",
	"群众工作方法需要提高", "数字化工具使用不熟练", "项目资金申报和管理不熟悉", ""}

// demoAnswers draws a cadre's answers from a generator seeded by their code, so every load gives
// the same answers.
func demoAnswers(code string) ([]training.SurveyAnswer, bool) {
	h := fnv.New64a()
	h.Write([]byte(code)) //nolint:errcheck
	r := rand.New(rand.NewPCG(h.Sum64(), 2027))
	if r.IntN(100) >= 40 { // about four in ten answer
		return nil, false
	}
	pick := func(keys []string, n int) []string {
		var out []string
		for _, i := range r.Perm(len(keys))[:n] {
			out = append(out, keys[i])
		}
		return out
	}
	as := []training.SurveyAnswer{
		{QuestionKey: "topics", Choices: pick([]string{"A", "B", "C", "D", "E", "F", "G"}, 1+r.IntN(3))},
		{QuestionKey: "slots", Choices: pick([]string{"A", "B", "C", "D"}, 1+r.IntN(2))},
		{QuestionKey: "mode", Choices: []string{[]string{"A", "B", "B", "C", "C", "C", "D"}[r.IntN(7)]}},
		{QuestionKey: "usefulness", Rating: []int{2, 3, 3, 4, 4, 4, 5, 5}[r.IntN(8)]},
	}
	if t := demoDifficulties[r.IntN(len(demoDifficulties))]; t != "" {
		as = append(as, training.SurveyAnswer{QuestionKey: "difficulty", Text: t})
	}
	return as, true
}

// loadSurvey publishes a training needs survey from the provincial Party school (school1) to the
// province's township-level cadres, open now, with deterministic answers from about four in ten
// of them (never cadre001, who is left to answer it in the demo). A survey found again by title
// is kept; answers missing from it are added while it is open.
func loadSurvey(ctx context.Context, a *app.App, orgs Orgs) error {
	u, err := a.Store.UserByUsername(ctx, "school1")
	if err != nil || u == nil {
		return fmt.Errorf("demo survey needs the school1 account: %v", err)
	}
	actor := identity.Principal{UserID: u.ID, Username: u.Username, Roles: u.Roles, OrgID: u.OrgID, OrgPath: orgs["P-U2"].Path}
	existing, _, err := a.Training.Surveys(ctx, actor, 1, 200)
	if err != nil {
		return err
	}
	var sv *training.Survey
	for i := range existing {
		if existing[i].Title == demoSurveyTitle {
			sv = &existing[i]
		}
	}
	if sv == nil {
		now := time.Now().UTC().Truncate(time.Hour)
		created, err := a.Training.CreateSurvey(ctx, actor, demoSurvey(orgs["P"].ID, now))
		if err != nil {
			return fmt.Errorf("create: %w", err)
		}
		sv = &created
	}
	if sv.Status == training.SurveyDraft {
		published, err := a.Training.PublishSurvey(ctx, actor, sv.ID)
		if err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		sv = &published
	}
	if !sv.OpenAt(time.Now()) {
		return nil
	}
	pop, err := a.Store.SurveyPopulation(ctx, sv.Target)
	if err != nil {
		return err
	}
	var skip int64
	if c1, err := a.Store.UserByUsername(ctx, "cadre001"); err == nil && c1 != nil && c1.CadreID != nil {
		skip = *c1.CadreID
	}
	for _, c := range pop {
		answers, ok := demoAnswers(c.Code)
		if !ok || c.ID == skip {
			continue
		}
		if r, err := a.Store.SurveyResponseOf(ctx, sv.ID, c.ID); err != nil || r != nil {
			if err != nil {
				return err
			}
			continue
		}
		id := c.ID
		cadreActor := identity.Principal{Username: "system", Roles: []identity.Role{identity.RoleCadre}, OrgID: c.OrgID, OrgPath: c.OrgPath, CadreID: &id}
		if _, _, err := a.Training.AnswerSurvey(ctx, cadreActor, sv.ID, answers); err != nil {
			return fmt.Errorf("answer as cadre %s: %w", c.Code, err)
		}
	}
	return nil
}
