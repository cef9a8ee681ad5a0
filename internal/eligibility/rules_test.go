package eligibility_test

import (
	"strings"
	"testing"
	"time"

	"qualify/internal/cadre"
	"qualify/internal/cert"
	"qualify/internal/eligibility"
	"qualify/internal/platform/civil"
	"qualify/internal/training"
)

var (
	asOf          = civil.New(2026, time.June, 30)
	countyDeputy  = cadre.PostLevel{Code: "county_deputy", Name: "县处级副职", Ord: 8}
	countyPrinc   = cadre.PostLevel{Code: "county_principal", Name: "县处级正职", Ord: 7}
	townPrincipal = cadre.PostLevel{Code: "township_principal", Name: "乡科级正职", Ord: 9}
	townDeputy    = cadre.PostLevel{Code: "township_deputy", Name: "乡科级副职", Ord: 10}
	bureauDeputy  = cadre.PostLevel{Code: "bureau_deputy", Name: "厅局级副职", Ord: 6}
)

// row is the seeded matrix row for 党政领导 -> 县处级副职.
func row() eligibility.Requirement {
	return eligibility.Requirement{ID: 1, PostCategory: "party_government_leader", TargetLevel: "county_deputy",
		Certificates: []string{"political_theory", "decision_making"}, TrainingHours: 550, TrainingYears: 5,
		TrainingWindow: eligibility.Calendar, MinYearsOfWork: 5, MinGrassrootsYears: 2, MinYearsDeputyToPrincipal: 2,
		MinYearsPrincipalToDeputy: 3, MinPostsAtLowerLevel: 2, MinEducation: cadre.College, MinYearsSinceLastPromotion: 1,
		ProbationBlocks: true, CertificateDeadlineMonths: 12, ExpiryWarningDays: 90}
}

func certificate(subject string, expires civil.Date, st cert.Status) cert.Certificate {
	return cert.Certificate{Number: "QC-" + subject, SubjectCode: subject, IssuedOn: expires.AddYears(-3).AddDays(1), ExpiresOn: expires,
		Status: st, StatusReason: "原因"}
}

func ledger(from civil.Date, h float64) training.LedgerEntry {
	return training.LedgerEntry{Mode: training.Centralized, Recognized: true, Hours: h, From: from, To: from, Year: from.Year}
}

// eligibleFacts are the facts of a 乡科级正职 who may become 县处级副职 on asOf.
func eligibleFacts() eligibility.Facts {
	return eligibility.Facts{
		Cadre:        cadre.Cadre{ID: 7, Name: "李青山", Education: cadre.Bachelor, PartyJoinDate: civil.New(2003, 7, 1)},
		CurrentLevel: townPrincipal, TargetLevel: countyDeputy, LevelCount: 10,
		YearsOfWork: 20, Grassroots: cadre.Tenure{Years: 6}, TimeInGrade: cadre.Tenure{Years: 4, Since: civil.New(2022, 5, 1)},
		LastPromotion: civil.New(2022, 5, 1), PostsAtLowerLevel: 2,
		Certificates: []cert.Certificate{certificate("political_theory", civil.New(2028, 1, 1), cert.Valid),
			certificate("decision_making", civil.New(2028, 1, 1), cert.Valid)},
		Ledger: []training.LedgerEntry{ledger(civil.New(2024, 3, 1), 300), ledger(civil.New(2025, 3, 1), 250)},
	}
}

var req = eligibility.Request{CadreID: 7, TargetLevel: "county_deputy", PostCategory: "party_government_leader"}

func find(t *testing.T, rs []eligibility.RuleResult, code string) eligibility.RuleResult {
	t.Helper()
	for _, r := range rs {
		if r.Code == code {
			return r
		}
	}
	t.Fatalf("no rule %s in %+v", code, rs)
	return eligibility.RuleResult{}
}

func TestEligibleBaseline(t *testing.T) {
	rs := eligibility.Evaluate(eligibleFacts(), req, row(), nil, asOf)
	if !eligibility.Eligible(rs) {
		t.Fatalf("baseline not eligible: %+v", rs)
	}
	want := []string{"level_step", "certificate.political_theory", "certificate.decision_making", "years_of_work", "grassroots",
		"time_in_post", "posts_at_lower_level", "education", "training", "probation", "since_last_promotion", "health", "legal_party_age"}
	if len(rs) != len(want) {
		t.Fatalf("rules %d, want %d: %+v", len(rs), len(want), rs)
	}
	for i, r := range rs {
		if r.Code != want[i] || r.Title == "" || r.Detail == "" || r.Basis == "" {
			t.Errorf("rule %d: %+v, want code %s with title, detail and basis", i, r, want[i])
		}
	}
	if find(t, rs, "health").Status != eligibility.Manual || find(t, rs, "legal_party_age").Status != eligibility.Manual {
		t.Error("health and legal/party age must be manual")
	}
}

func TestRuleBoundaries(t *testing.T) {
	d := func(y int, m time.Month, day int) civil.Date { return civil.New(y, m, day) }
	cases := []struct {
		name   string
		edit   func(f *eligibility.Facts, m *eligibility.Requirement)
		rule   string
		status eligibility.Status
		detail string
	}{
		{"550 hours pass", func(f *eligibility.Facts, m *eligibility.Requirement) {}, "training", eligibility.Pass, "550/550 学时"},
		{"549 hours fail", func(f *eligibility.Facts, m *eligibility.Requirement) { f.Ledger[1].Hours = 249 }, "training", eligibility.Fail, "549/550 学时"},
		{"online hours do not count", func(f *eligibility.Facts, m *eligibility.Requirement) { f.Ledger[1].Mode = training.Online }, "training", eligibility.Fail, "300/550"},
		{"calendar window first day counts", func(f *eligibility.Facts, m *eligibility.Requirement) { f.Ledger[0].From = d(2022, 1, 1) }, "training", eligibility.Pass, "2022-01-01至2026-06-30"},
		{"calendar window day before excluded", func(f *eligibility.Facts, m *eligibility.Requirement) { f.Ledger[0].From = d(2021, 12, 31) }, "training", eligibility.Fail, "250/550"},
		{"rolling window first day counts", func(f *eligibility.Facts, m *eligibility.Requirement) {
			m.TrainingWindow = eligibility.Rolling
			f.Ledger[0].From = d(2021, 7, 1)
		}, "training", eligibility.Pass, "2021-07-01至2026-06-30"},
		{"rolling window day before excluded", func(f *eligibility.Facts, m *eligibility.Requirement) {
			m.TrainingWindow = eligibility.Rolling
			f.Ledger[0].From = d(2021, 6, 30)
		}, "training", eligibility.Fail, "250/550"},
		{"training after the check date excluded", func(f *eligibility.Facts, m *eligibility.Requirement) { f.Ledger[1].From = asOf.AddDays(1) }, "training", eligibility.Fail, "300/550"},
		{"90 a year below county", func(f *eligibility.Facts, m *eligibility.Requirement) {
			m.TrainingHours, m.TrainingYears = 90, 1
			f.Ledger = []training.LedgerEntry{ledger(d(2026, 1, 1), 90)}
		}, "training", eligibility.Pass, "近1年集中培训 90/90"},
		{"certificate expiring on the check date passes with warning", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.Certificates[1].ExpiresOn = asOf
		}, "certificate.decision_making", eligibility.Pass, "今日（2026-06-30）到期"},
		{"certificate expired the day before fails", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.Certificates[1].ExpiresOn = asOf.AddDays(-1)
		}, "certificate.decision_making", eligibility.Fail, "已于2026-06-29到期"},
		{"certificate expiring within 90 days warns", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.Certificates[1].ExpiresOn = asOf.AddDays(90)
		}, "certificate.decision_making", eligibility.Pass, "决策能力证书将于2026-09-28到期"},
		{"certificate missing", func(f *eligibility.Facts, m *eligibility.Requirement) { f.Certificates = f.Certificates[:1] }, "certificate.decision_making", eligibility.Fail, "缺少决策能力资格证书"},
		{"certificate suspended", func(f *eligibility.Facts, m *eligibility.Requirement) { f.Certificates[1].Status = cert.Suspended }, "certificate.decision_making", eligibility.Fail, "已暂停使用"},
		{"certificate revoked", func(f *eligibility.Facts, m *eligibility.Requirement) { f.Certificates[1].Status = cert.Revoked }, "certificate.decision_making", eligibility.Fail, "已撤销"},
		{"exactly 5 years of work", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.YearsOfWork = cadre.YearsOfWork(asOf.AddYears(-5), nil, asOf)
		}, "years_of_work", eligibility.Pass, "工龄5年"},
		{"a day short of 5 years of work", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.YearsOfWork = cadre.YearsOfWork(asOf.AddYears(-5).AddDays(1), nil, asOf)
		}, "years_of_work", eligibility.Fail, "工龄4年"},
		{"exactly 2 grassroots years", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.Grassroots = cadre.GrassrootsYears([]cadre.PostRecord{{Start: asOf.AddYears(-2), Grassroots: true}}, asOf)
		}, "grassroots", eligibility.Pass, "2年0天"},
		{"a day short of 2 grassroots years", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.Grassroots = cadre.GrassrootsYears([]cadre.PostRecord{{Start: asOf.AddYears(-2).AddDays(1), Grassroots: true}}, asOf)
		}, "grassroots", eligibility.Fail, "不足2年"},
		{"exactly 1 year since last promotion", func(f *eligibility.Facts, m *eligibility.Requirement) { f.LastPromotion = asOf.AddYears(-1) }, "since_last_promotion", eligibility.Pass, "已满1年"},
		{"a day short of 1 year since last promotion", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.LastPromotion = asOf.AddYears(-1).AddDays(1)
		}, "since_last_promotion", eligibility.Fail, "2026-07-01满"},
		{"principal to higher deputy exactly 3 years", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.TimeInGrade = cadre.Tenure{Years: 3, Since: asOf.AddYears(-3)}
		}, "time_in_post", eligibility.Pass, "3年0天"},
		{"principal to higher deputy short of 3 years", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.TimeInGrade = cadre.Tenure{Years: 2, Days: 364, Since: asOf.AddYears(-3).AddDays(1)}
		}, "time_in_post", eligibility.Fail, "须满3年"},
		{"deputy to principal needs 2 years", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.CurrentLevel, f.TargetLevel = countyDeputy, countyPrinc
			f.TimeInGrade = cadre.Tenure{Years: 2, Since: asOf.AddYears(-2)}
		}, "time_in_post", eligibility.Pass, "由副职提任正职要求2年以上"},
		{"in probation", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.InProbation, f.ProbationEnd = true, asOf.AddDays(1)
		}, "probation", eligibility.Fail, "试用期至2026-06-30止"},
		{"one post at the lower level is a soft fail", func(f *eligibility.Facts, m *eligibility.Requirement) { f.PostsAtLowerLevel = 1 }, "posts_at_lower_level", eligibility.SoftFail, "1个职位"},
		{"education below the floor is a soft fail", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.Cadre.Education = cadre.Secondary
		}, "education", eligibility.SoftFail, "一般应为大学专科以上"},
		{"skipping one level needs approval", func(f *eligibility.Facts, m *eligibility.Requirement) { f.CurrentLevel = townDeputy }, "level_step", eligibility.Fail, "越级提拔"},
		{"skipping two levels", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.CurrentLevel, f.TargetLevel = townDeputy, countyPrinc
		}, "level_step", eligibility.Fail, "不得越两级提拔"},
		{"not a promotion", func(f *eligibility.Facts, m *eligibility.Requirement) { f.TargetLevel = townPrincipal }, "level_step", eligibility.Fail, "不属于提拔"},
		{"a rank below every level steps to the lowest level", func(f *eligibility.Facts, m *eligibility.Requirement) {
			f.CurrentLevel, f.TargetLevel = cadre.PostLevel{}, townDeputy
		}, "level_step", eligibility.Pass, "逐级提拔"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, m := eligibleFacts(), row()
			tc.edit(&f, &m)
			rs := eligibility.Evaluate(f, req, m, nil, asOf)
			r := find(t, rs, tc.rule)
			if r.Status != tc.status || !strings.Contains(r.Detail, tc.detail) {
				t.Fatalf("%s: %s %q, want %s containing %q", tc.rule, r.Status, r.Detail, tc.status, tc.detail)
			}
			if want := tc.status != eligibility.Fail; eligibility.Eligible(rs) != want && tc.rule != "level_step" {
				t.Fatalf("eligible %v, want %v", !want, want)
			}
		})
	}
}

func TestExceptions(t *testing.T) {
	approval := func(kind eligibility.ExceptionKind, rules ...string) []eligibility.Exception {
		return []eligibility.Exception{{CadreID: 7, TargetLevel: "county_deputy", Kind: kind, Justification: "remote_area",
			Approver: "省委组织部", DocumentNo: "示组干〔2026〕12号", Rules: rules}}
	}
	cases := []struct {
		name   string
		edit   func(f *eligibility.Facts)
		exs    []eligibility.Exception
		rule   string
		status eligibility.Status
		detail string
	}{
		{"grassroots waived", func(f *eligibility.Facts) { f.Grassroots = cadre.Tenure{Years: 1} },
			approval(eligibility.Exceptional, "grassroots"), "grassroots", eligibility.Waived, "示组干〔2026〕12号"},
		{"training waived with the one-year duty", func(f *eligibility.Facts) { f.Ledger = nil },
			approval(eligibility.Exceptional, "training"), "training", eligibility.Waived, "提任后一年内完成培训"},
		{"exception for another level does not apply", func(f *eligibility.Facts) {
			f.Grassroots = cadre.Tenure{Years: 1}
			f.TargetLevel = countyDeputy
		}, []eligibility.Exception{{TargetLevel: "county_principal", Kind: eligibility.Exceptional, Rules: []string{"grassroots"}}},
			"grassroots", eligibility.Fail, "不足2年"},
		{"skip one level waived by a skip-level approval", func(f *eligibility.Facts) { f.CurrentLevel = townDeputy },
			approval(eligibility.SkipLevel, "level_step"), "level_step", eligibility.Waived, "越级提拔"},
		{"probation never waived", func(f *eligibility.Facts) { f.InProbation = true },
			approval(eligibility.Exceptional, "probation"), "probation", eligibility.Fail, "不得破格"},
		{"waiver refused in probation", func(f *eligibility.Facts) {
			f.InProbation = true
			f.Grassroots = cadre.Tenure{Years: 1}
		}, approval(eligibility.Exceptional, "grassroots"), "grassroots", eligibility.Fail, "试用期内不得破格提拔"},
		{"one-year limit never waived", func(f *eligibility.Facts) { f.LastPromotion = asOf.AddDays(-100) },
			approval(eligibility.Exceptional, "since_last_promotion"), "since_last_promotion", eligibility.Fail, "不得破格"},
		{"waiver refused within a year of the last promotion", func(f *eligibility.Facts) {
			f.LastPromotion = asOf.AddDays(-100)
			f.TimeInGrade = cadre.Tenure{Days: 100, Since: asOf.AddDays(-100)}
		}, approval(eligibility.Exceptional, "time_in_post"), "time_in_post", eligibility.Fail, "提拔任职不满一年不得破格提拔"},
		{"consecutive time-in-post exception refused", func(f *eligibility.Facts) {
			f.TimeInGrade = cadre.Tenure{Years: 1, Since: asOf.AddYears(-1).AddDays(-10)}
			f.LastPromotion = asOf.AddYears(-2)
			f.PriorTimeInPostException = true
		}, approval(eligibility.Exceptional, "time_in_post"), "time_in_post", eligibility.Fail, "不得在任职年限上连续破格"},
		{"time-in-post exception accepted when not consecutive", func(f *eligibility.Facts) {
			f.TimeInGrade = cadre.Tenure{Years: 1, Since: asOf.AddYears(-1).AddDays(-10)}
			f.LastPromotion = asOf.AddYears(-2)
		}, approval(eligibility.Exceptional, "time_in_post"), "time_in_post", eligibility.Waived, "已破格提拔"},
		{"two levels never waived", func(f *eligibility.Facts) { f.CurrentLevel, f.TargetLevel = townDeputy, countyPrinc },
			[]eligibility.Exception{{TargetLevel: "county_principal", Kind: eligibility.SkipLevel, DocumentNo: "X", Rules: []string{"level_step"}}},
			"level_step", eligibility.Fail, "不得越两级提拔"},
		{"exceptional approval does not cover skipping a level", func(f *eligibility.Facts) { f.CurrentLevel = townDeputy },
			approval(eligibility.Exceptional, "level_step"), "level_step", eligibility.Fail, "越级须有越级提拔批准"},
		{"certificate never waived", func(f *eligibility.Facts) { f.Certificates = nil },
			approval(eligibility.Exceptional, "certificate.political_theory"), "certificate.political_theory", eligibility.Fail, "不得破格"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := eligibleFacts()
			tc.edit(&f)
			r := find(t, eligibility.Evaluate(f, req, row(), tc.exs, asOf), tc.rule)
			if r.Status != tc.status || !strings.Contains(r.Detail, tc.detail) {
				t.Fatalf("%s: %s %q, want %s containing %q", tc.rule, r.Status, r.Detail, tc.status, tc.detail)
			}
		})
	}
}

func TestValidateException(t *testing.T) {
	ok := eligibility.Exception{Kind: eligibility.Exceptional, Justification: "structure_need", Approver: "省委组织部", DocumentNo: "1号",
		Rules: []string{"grassroots", "training"}}
	if fe := eligibility.ValidateException(ok); len(fe) != 0 {
		t.Fatalf("valid exception refused: %v", fe)
	}
	for _, rule := range []string{"probation", "since_last_promotion", "health", "legal_party_age", "certificate.decision_making"} {
		e := ok
		e.Rules = []string{rule}
		if fe := eligibility.ValidateException(e); len(fe) != 1 || fe[0].Field != "rules" {
			t.Errorf("rule %s accepted: %v", rule, fe)
		}
	}
	bad := eligibility.Exception{Kind: "other", Justification: "because"}
	if fe := eligibility.ValidateException(bad); len(fe) != 4 {
		t.Errorf("want type, justification, approver, documentNo errors: %v", fe)
	}
}

func TestCompliance(t *testing.T) {
	m := []eligibility.Requirement{{PostCategory: "administrative", TargetLevel: "township_deputy", Certificates: []string{"political_theory"},
		CertificateDeadlineMonths: 12, ExpiryWarningDays: 90}}
	mk := func(id int64, start civil.Date) cadre.Cadre {
		return cadre.Cadre{ID: id, Code: "C" + string(rune('0'+id)), PostLevel: "township_deputy", PostCategory: "administrative", TermStart: start}
	}
	cadres := []cadre.Cadre{
		mk(1, civil.New(2025, 6, 30)), // deadline 2026-06-29, the day before: overdue
		mk(2, civil.New(2025, 7, 1)),  // deadline 2026-06-30, the check date: due, not overdue
		mk(3, civil.New(2025, 7, 31)), // deadline 2026-07-30: due in 30 days
		mk(4, civil.New(2025, 9, 28)), // deadline 2026-09-27: due in 89 days
		mk(5, civil.New(2026, 1, 1)),  // holds a certificate expiring in 60 days
		{ID: 6, PostCategory: "administrative"},
	}
	certs := map[int64][]cert.Certificate{5: {certificate("political_theory", asOf.AddDays(60), cert.Valid)}}
	ids := func(kind eligibility.ComplianceKind) []int64 {
		var out []int64
		for _, it := range eligibility.Compliance(kind, cadres, certs, m, asOf) {
			out = append(out, it.Cadre.ID)
		}
		return out
	}
	if dl := eligibility.CertificateDeadline(civil.New(2025, 6, 30), 12); dl != civil.New(2026, 6, 29) {
		t.Fatalf("deadline %s", dl)
	}
	for _, tc := range []struct {
		kind eligibility.ComplianceKind
		want string
	}{{eligibility.Overdue, "[1]"}, {eligibility.Due30, "[2 3]"}, {eligibility.Due90, "[2 3 4]"}, {eligibility.Expiring, "[5]"}} {
		if got := fmtIDs(ids(tc.kind)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.kind, got, tc.want)
		}
	}
}

func fmtIDs(ids []int64) string {
	var b strings.Builder
	b.WriteString("[")
	for i, id := range ids {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(string(rune('0' + id)))
	}
	b.WriteString("]")
	return b.String()
}

// BenchmarkEvaluate measures the pure rules for one cadre (a 100,000-row roster is 100,000 calls).
func BenchmarkEvaluate(b *testing.B) {
	f, m := eligibleFacts(), row()
	for i := 0; i < b.N; i++ {
		eligibility.Evaluate(f, req, m, nil, asOf)
	}
}
