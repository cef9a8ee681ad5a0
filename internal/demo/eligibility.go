package demo

import (
	"context"
	"fmt"
	"time"

	"qualify/internal/app"
	"qualify/internal/cadre"
	"qualify/internal/cert"
	"qualify/internal/platform/civil"
	"qualify/internal/training"
)

// eligibilityDemo is one demo cadre for the promotion check to 县处级副职 (党政领导): who they
// are, which certificates they hold, their centralized training hours, and the outcome they show.
type eligibilityDemo struct {
	code, name string
	certs      []string
	hours      float64
	grassroots bool // the earlier posts were at grassroots units
	probation  bool // the current post was taken up 6 months ago, on probation
	outcome    string
}

// eligibilityDemos are the demo cadres for the promotion check (POST /api/v1/eligibility/checks
// with targetPostLevel county_deputy, postCategory party_government_leader).
var eligibilityDemos = []eligibilityDemo{
	{"ELG001", "周达标", []string{"political_theory", "decision_making", "coordination"}, 560, true, false, "符合提任县处级副职的全部条件"},
	{"ELG002", "吴缺证", []string{"political_theory"}, 560, true, false, "缺少决策能力、协调能力资格证书"},
	{"ELG003", "郑学时", []string{"political_theory", "decision_making", "coordination"}, 412, true, false, "近5年集中培训 412/550 学时"},
	{"ELG004", "冯基层", []string{"political_theory", "decision_making", "coordination"}, 560, false, false, "基层工作经历不足2年"},
	{"ELG005", "陈试用", []string{"political_theory", "decision_making", "coordination"}, 560, true, true, "任职试用期内、提拔不满一年、任职年限不足"},
}

const eligibilityLedgerBy = "demo-eligibility"

// loadEligibility seeds the promotion-check demo cadres in 青山县 (kept when present, counted in
// rep.Cadres), their certificates and their centralized training. Dates are relative to the day of
// the first load.
func loadEligibility(ctx context.Context, a *app.App, orgs Orgs, rep *Report) error {
	unit, town, prov := orgs["C1-K1-U4"], orgs["C1-K1-T2"], orgs["P-U3"]
	today := civil.Of(time.Now())
	var entries []cadre.Entry
	for _, d := range eligibilityDemos {
		early := town
		if !d.grassroots {
			early = prov
		}
		post := func(title string, o int64, unitName, level string, start, end civil.Date, grass bool) cadre.PostRecord {
			id := o
			return cadre.PostRecord{Title: title, PostLevel: level, PostCategory: "party_government_leader", UnitOrgID: &id, UnitName: unitName,
				Start: start, End: end, Grassroots: grass, Leadership: true, AppointmentType: cadre.Appointment}
		}
		posts := []cadre.PostRecord{
			post(early.Name+"副镇长", early.ID, early.Name, "township_deputy", civil.New(2012, 3, 1), civil.New(2016, 3, 1), d.grassroots),
			post(early.Name+"镇长", early.ID, early.Name, "township_principal", civil.New(2016, 3, 1), civil.New(2020, 4, 1), d.grassroots),
			post(unit.Name+"局长", unit.ID, unit.Name, "township_principal", civil.New(2020, 4, 1), civil.Date{}, true),
		}
		if !d.grassroots { // one year at a grassroots unit only
			posts[2].Start = today.AddYears(-1).AddDays(-60)
			posts[1].End = posts[2].Start
		}
		if d.probation {
			start := today.AddDays(-180)
			posts = []cadre.PostRecord{
				post(early.Name+"副镇长", early.ID, early.Name, "township_deputy", civil.New(2014, 3, 1), start, true),
				post(unit.Name+"局长", unit.ID, unit.Name, "township_principal", start, civil.Date{}, true),
			}
			posts[1].ProbationEnd = start.AddYears(1)
		}
		cur := posts[len(posts)-1]
		entries = append(entries, cadre.Entry{Cadre: cadre.Cadre{OrgID: unit.ID, Code: d.code, Name: d.name, Gender: cadre.Male,
			BirthDate: civil.New(1983, 5, 12), Ethnicity: "汉族", Education: cadre.Bachelor, PartyJoinDate: civil.New(2005, 6, 1),
			WorkStartDate: civil.New(2005, 7, 1), Reserve: true, CurrentPost: cur.Title, PostLevel: cur.PostLevel,
			PostCategory: "party_government_leader", TermStart: cur.Start}, Posts: posts})
	}
	if _, err := a.Cadres.Seed(ctx, system, entries); err != nil {
		return err
	}
	rep.Cadres += len(entries)
	now := time.Now()
	for _, d := range eligibilityDemos {
		c, err := a.Store.CadreByCode(ctx, d.code)
		if err != nil || c == nil {
			return fmt.Errorf("cadre %s not found: %v", d.code, err)
		}
		for _, subj := range d.certs {
			if _, err := a.Certs.Issue(ctx, cert.IssueRequest{CadreID: c.ID, SubjectCode: subj, SubjectName: subjectNames[subj],
				AttemptHash: demoAttemptHash(c.ID, subj), Score: 85, PassedAt: now.AddDate(0, -2, 0)}); err != nil {
				return fmt.Errorf("certificate for %s: %w", d.code, err)
			}
		}
		ledger, err := a.Store.Ledger(ctx, c.ID)
		if err != nil {
			return err
		}
		seeded := false
		for _, e := range ledger {
			seeded = seeded || e.CreatedBy == eligibilityLedgerBy
		}
		if seeded {
			continue
		}
		school := orgs["P-U2"]
		sid := school.ID
		var es []training.LedgerEntry
		for i, h := range []float64{d.hours / 2, d.hours - d.hours/2} {
			from := today.AddDays(-60 - 300*i)
			es = append(es, training.LedgerEntry{CadreID: c.ID, CourseTitle: "县处级干部任职培训班（第" + fmt.Sprint(i+1) + "期）",
				SchoolOrgID: &sid, SchoolName: school.Name, Mode: training.FullTime, Recognized: true, Hours: h, From: from,
				To: from.AddDays(20), Year: from.Year, CreatedAt: now.UTC(), CreatedBy: eligibilityLedgerBy})
		}
		if err := a.Store.AppendLedger(ctx, es); err != nil {
			return err
		}
	}
	return nil
}

// subjectNames are the contract's subject names, for the demo certificates.
var subjectNames = map[string]string{"political_theory": "马克思主义政治理论", "decision_making": "决策能力", "coordination": "协调能力",
	"innovation": "创新能力", "administration": "行政职业能力", "party_affairs": "党务工作程序和业务能力"}
