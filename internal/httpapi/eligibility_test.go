package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"qualify/internal/apitest"
	"qualify/internal/audit"
	"qualify/internal/cadre"
	"qualify/internal/cert"
	"qualify/internal/identity"
	"qualify/internal/platform/civil"
	"qualify/internal/training"
)

// eligWorld is the cadre world plus cadres with controlled histories, certificates and training:
// ELIG-1 passes every rule for 县处级副职; ELIG-2 lacks a certificate, training hours and
// grassroots years; ELIG-3 took a 县处级副职 post 13 months ago without any certificate; ELIG-4
// must hold its certificates within days and holds one that expires soon.
type eligWorld struct {
	*cadreWorld
	today  civil.Date
	ids    map[string]int64
	county string // personnel of county 1
}

func newEligWorld(t *testing.T, e *apitest.Env) *eligWorld {
	t.Helper()
	w := &eligWorld{cadreWorld: newCadreWorld(t, e), today: civil.Of(time.Now().In(time.FixedZone("CST", 8*3600))), ids: map[string]int64{}}
	w.county = w.county1
	ctx := context.Background()
	unit := w.k1u.ID
	mk := func(code, name string, level string, termStart civil.Date, posts ...cadre.PostRecord) cadre.Entry {
		for i := range posts {
			posts[i].PostCategory, posts[i].UnitOrgID, posts[i].Leadership = "party_government_leader", &unit, true
		}
		return cadre.Entry{Cadre: cadre.Cadre{OrgID: unit, Code: code, Name: name, Gender: cadre.Male, BirthDate: civil.New(1982, 3, 1),
			Education: cadre.Bachelor, PartyJoinDate: civil.New(2004, 7, 1), WorkStartDate: civil.New(2004, 7, 1),
			PostCategory: "party_government_leader", PostLevel: level, CurrentPost: "局长", TermStart: termStart}, Posts: posts}
	}
	d := civil.New
	entries := []cadre.Entry{
		mk("ELIG-1", "张合格", "township_principal", d(2019, 6, 1),
			cadre.PostRecord{Title: "副镇长", UnitName: "河口镇", PostLevel: "township_deputy", Start: d(2010, 1, 1), End: d(2016, 1, 1), Grassroots: true},
			cadre.PostRecord{Title: "镇长", UnitName: "河口镇", PostLevel: "township_principal", Start: d(2016, 1, 1), End: d(2019, 6, 1), Grassroots: true},
			cadre.PostRecord{Title: "局长", UnitName: "青山县财政局", PostLevel: "township_principal", Start: d(2019, 6, 1)}),
		mk("ELIG-2", "王缺证", "township_principal", d(2019, 6, 1),
			cadre.PostRecord{Title: "副局长", UnitName: "省直单位", PostLevel: "township_deputy", Start: d(2010, 1, 1), End: d(2016, 1, 1)},
			cadre.PostRecord{Title: "镇长", UnitName: "河口镇", PostLevel: "township_principal", Start: d(2016, 1, 1), End: d(2017, 1, 1), Grassroots: true},
			cadre.PostRecord{Title: "局长", UnitName: "省直单位", PostLevel: "township_principal", Start: d(2017, 1, 1)}),
		mk("ELIG-3", "赵逾期", "county_deputy", civil.Of(time.Now().AddDate(-1, -1, 0)),
			cadre.PostRecord{Title: "副县长", UnitName: "青山县", PostLevel: "county_deputy", Start: civil.Of(time.Now().AddDate(-1, -1, 0))}),
		mk("ELIG-4", "钱将至", "county_deputy", civil.Of(time.Now().AddDate(-1, 0, 10)),
			cadre.PostRecord{Title: "副县长", UnitName: "青山县", PostLevel: "county_deputy", Start: civil.Of(time.Now().AddDate(-1, 0, 10))}),
	}
	if _, err := e.App.Cadres.Seed(ctx, identity.Principal{Username: "system"}, entries); err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		c, err := e.App.Store.CadreByCode(ctx, en.Cadre.Code)
		if err != nil || c == nil {
			t.Fatalf("cadre %s: %v", en.Cadre.Code, err)
		}
		w.ids[en.Cadre.Code] = c.ID
	}
	issue := func(code, subject string, passed time.Time) {
		if _, err := e.App.Certs.Issue(ctx, cert.IssueRequest{CadreID: w.ids[code], SubjectCode: subject, SubjectName: subject,
			AttemptHash: "sha256:elig-" + code + subject, Score: 80, PassedAt: passed}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	for _, s := range []string{"political_theory", "decision_making", "coordination"} {
		issue("ELIG-1", s, now.Add(-24*time.Hour))
	}
	issue("ELIG-2", "political_theory", now.Add(-24*time.Hour))
	issue("ELIG-4", "political_theory", now.AddDate(-3, 0, 20)) // 3-year validity: expires in about 20 days
	led := func(code string, daysAgo int, h float64) training.LedgerEntry {
		from := w.today.AddDays(-daysAgo)
		return training.LedgerEntry{CadreID: w.ids[code], CourseTitle: "专题培训", Mode: training.Centralized, Recognized: true, Hours: h,
			From: from, To: from, Year: from.Year, CreatedAt: now, CreatedBy: "test"}
	}
	if err := e.App.Store.AppendLedger(ctx, []training.LedgerEntry{led("ELIG-1", 1, 300), led("ELIG-1", 400, 250),
		led("ELIG-2", 1, 212), led("ELIG-2", 400, 200)}); err != nil {
		t.Fatal(err)
	}
	return w
}

type checkOut struct {
	ID              int64
	Eligible        bool
	CheckedAt       string
	TargetPostLevel string
	Rules           []struct{ Code, Title, Status, Detail, Basis string }
}

func (c checkOut) rule(t *testing.T, code string) struct{ Code, Title, Status, Detail, Basis string } {
	t.Helper()
	for _, r := range c.Rules {
		if r.Code == code {
			return r
		}
	}
	t.Fatalf("no rule %s: %+v", code, c.Rules)
	return c.Rules[0]
}

func (w *eligWorld) check(t *testing.T, tok, code string, status int) checkOut {
	t.Helper()
	var out checkOut
	r := w.e.Do("POST", "/api/v1/eligibility/checks", tok, map[string]any{"cadreId": w.ids[code], "targetPostLevel": "county_deputy",
		"postCategory": "party_government_leader"}).Status(status)
	if status == 200 {
		r.JSON(&out)
	}
	return out
}

func auditCount(t *testing.T, e *apitest.Env, action string) int64 {
	t.Helper()
	_, n, err := e.App.Store.ListAuditEvents(context.Background(), audit.Filter{Action: action, Page: 1, PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEligibilityCheckByProvincePersonnel(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newEligWorld(t, e)
		ok := w.check(t, w.province, "ELIG-1", 200)
		if !ok.Eligible || ok.ID == 0 || ok.CheckedAt == "" {
			t.Fatalf("ELIG-1 should be eligible: %+v", ok)
		}
		want := map[string]string{"level_step": "pass", "certificate.political_theory": "pass", "certificate.decision_making": "pass",
			"certificate.coordination": "pass", "years_of_work": "pass", "grassroots": "pass", "time_in_post": "pass",
			"posts_at_lower_level": "pass", "education": "pass", "training": "pass", "probation": "pass", "since_last_promotion": "pass",
			"health": "manual", "legal_party_age": "manual"}
		if len(ok.Rules) != len(want) {
			t.Fatalf("rules %+v", ok.Rules)
		}
		for code, st := range want {
			r := ok.rule(t, code)
			if r.Status != st || r.Detail == "" || r.Basis == "" || r.Title == "" {
				t.Errorf("%s: %+v, want %s with title, detail and basis", code, r, st)
			}
		}
		if d := ok.rule(t, "training").Detail; !strings.Contains(d, "550/550 学时") {
			t.Errorf("training detail %q", d)
		}

		bad := w.check(t, w.province, "ELIG-2", 200)
		if bad.Eligible {
			t.Fatalf("ELIG-2 should not be eligible: %+v", bad)
		}
		for code, part := range map[string]string{"certificate.decision_making": "缺少决策能力资格证书", "training": "412/550 学时",
			"grassroots": "不足2年", "certificate.political_theory": "有效"} {
			if r := bad.rule(t, code); !strings.Contains(r.Detail, part) {
				t.Errorf("%s: %q, want %q", code, r.Detail, part)
			}
		}

		var got checkOut
		e.Do("GET", fmt.Sprintf("/api/v1/eligibility/checks/%d", bad.ID), w.province, nil).Status(200).JSON(&got)
		if got.ID != bad.ID || got.Eligible || len(got.Rules) != len(bad.Rules) || got.rule(t, "training").Detail != bad.rule(t, "training").Detail {
			t.Fatalf("kept check differs: %+v", got)
		}
		var list struct {
			Items []checkOut
			Total int
		}
		e.Do("GET", fmt.Sprintf("/api/v1/eligibility/checks?cadreId=%d", w.ids["ELIG-2"]), w.province, nil).Status(200).JSON(&list)
		if list.Total != 1 || list.Items[0].ID != bad.ID {
			t.Fatalf("list %+v", list)
		}
		if n := auditCount(t, e, "eligibility.check"); n != 2 {
			t.Fatalf("audited checks %d, want 2", n)
		}
		// Shape errors at the edge; a cadre without a role answer 403.
		e.Do("POST", "/api/v1/eligibility/checks", w.province, map[string]any{"cadreId": w.ids["ELIG-1"], "targetPostLevel": "nope",
			"postCategory": "party_government_leader"}).Problem(400, "validation_failed")
		e.Do("POST", "/api/v1/eligibility/checks", w.county1Cadre, map[string]any{"cadreId": w.ids["ELIG-1"], "targetPostLevel": "county_deputy",
			"postCategory": "party_government_leader"}).Problem(403, "forbidden")
	})
}

func TestEligibilityScopeAndExceptions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newEligWorld(t, e)
		// County 1's office may not check county 2's cadre, nor read its checks.
		e.Do("POST", "/api/v1/eligibility/checks", w.county, map[string]any{"cadreId": w.k2CadreID, "targetPostLevel": "township_principal",
			"postCategory": "administrative"}).Problem(404, "not_found")
		other := w.e.Do("POST", "/api/v1/eligibility/checks", w.province, map[string]any{"cadreId": w.k2CadreID,
			"targetPostLevel": "township_principal", "postCategory": "administrative"}).Status(200)
		var oc checkOut
		other.JSON(&oc)
		e.Do("GET", fmt.Sprintf("/api/v1/eligibility/checks/%d", oc.ID), w.county, nil).Problem(404, "not_found")
		w.check(t, w.county, "ELIG-2", 200) // own county: fine

		// An exception turns the grassroots failure into a waiver; probation can never be waived.
		base := map[string]any{"cadreId": w.ids["ELIG-2"], "targetPostLevel": "county_deputy", "type": "exceptional",
			"justification": "hard_area_results", "approver": "中共示范省委组织部", "documentNo": "示组函〔2026〕8号"}
		withRules := func(rules ...string) map[string]any {
			m := map[string]any{"rules": rules}
			for k, v := range base {
				m[k] = v
			}
			return m
		}
		e.Do("POST", "/api/v1/eligibility/exceptions", w.county, withRules("probation")).Problem(422, "rule_not_waivable")
		e.Do("POST", "/api/v1/eligibility/exceptions", w.county, withRules("grassroots")).Status(201)
		after := w.check(t, w.county, "ELIG-2", 200)
		if r := after.rule(t, "grassroots"); r.Status != "waived" || !strings.Contains(r.Detail, "示组函〔2026〕8号") {
			t.Fatalf("grassroots after the exception: %+v", r)
		}
		if after.rule(t, "training").Status != "fail" {
			t.Fatal("an exception waives only the rules it names")
		}
		if n := auditCount(t, e, "eligibility.exception.create"); n != 1 {
			t.Fatalf("audited exceptions %d", n)
		}
		var exs []struct{ DocumentNo string }
		e.Do("GET", fmt.Sprintf("/api/v1/eligibility/exceptions?cadreId=%d", w.ids["ELIG-2"]), w.county, nil).Status(200).JSON(&exs)
		if len(exs) != 1 {
			t.Fatalf("exceptions %+v", exs)
		}

		// The matrix: the province office edits it (audited); a county office may not.
		var rows []struct {
			ID              int64
			PostCategory    string
			TargetPostLevel string
			TrainingHours   float64
			TrainingWindow  string
			Basis           map[string]string
		}
		e.Do("GET", "/api/v1/eligibility/requirements", w.province, nil).Status(200).JSON(&rows)
		var row map[string]any
		for _, r := range rows {
			if r.PostCategory == "party_government_leader" && r.TargetPostLevel == "county_deputy" {
				if r.TrainingHours != 550 || r.Basis["training"] == "" {
					t.Fatalf("seeded row %+v", r)
				}
				e.Do("GET", "/api/v1/eligibility/requirements", w.province, nil).Status(200)
				row = map[string]any{"certificates": []string{"political_theory"}, "trainingHours": 400, "trainingYears": 5,
					"trainingWindow": "rolling", "minYearsOfWork": 5, "minGrassrootsYears": 2, "minYearsDeputyToPrincipal": 2,
					"minYearsPrincipalToDeputy": 3, "minPostsAtLowerLevel": 2, "minEducation": "college", "minYearsSinceLastPromotion": 1,
					"probationBlocks": true, "certificateDeadlineMonths": 12, "expiryWarningDays": 90}
				e.Do("PUT", fmt.Sprintf("/api/v1/eligibility/requirements/%d", r.ID), w.county, row).Problem(403, "forbidden")
				e.Do("PUT", fmt.Sprintf("/api/v1/eligibility/requirements/%d", r.ID), w.province, row).Status(200)
			}
		}
		if row == nil {
			t.Fatal("no seeded row for party_government_leader/county_deputy")
		}
		now := w.check(t, w.province, "ELIG-2", 200)
		if r := now.rule(t, "training"); r.Status != "pass" || !strings.Contains(r.Detail, "412/400") {
			t.Fatalf("training after the matrix change: %+v", r)
		}
		if n := auditCount(t, e, "eligibility.requirement.update"); n != 1 {
			t.Fatalf("audited matrix updates %d", n)
		}
	})
}

func TestEligibilityBatch(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newEligWorld(t, e)
		f := excelize.NewFile()
		rows := [][]any{{"干部编号", "拟任职务层次", "职务类别", "核查日期"}, {"ELIG-1", "县处级副职", "党政领导", ""},
			{"ELIG-2", "county_deputy", "party_government_leader", w.today.String()}, {"NOPE-9", "县处级副职", "党政领导", ""},
			{"ELIG-1", "科员", "党政领导", ""}}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		r := e.Upload("/api/v1/eligibility/batch", w.county, "file", "名单.xlsx", buf.Bytes()).Status(200)
		out, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := out.GetRows(out.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 {
			t.Fatalf("rows %v", got)
		}
		verdicts := []string{got[1][6], got[2][6], got[3][6], got[4][6]}
		if strings.Join(verdicts, ",") != "符合,不符合,无法核查,无法核查" {
			t.Fatalf("verdicts %v", verdicts)
		}
		if !strings.Contains(got[2][7], "缺少决策能力资格证书") || !strings.Contains(got[3][7], "不存在或不在管理范围内") ||
			!strings.Contains(got[4][7], "无法识别") || got[1][2] != "张合格" {
			t.Fatalf("reasons %q", got)
		}
		if n := auditCount(t, e, "eligibility.check"); n != 2 {
			t.Fatalf("audited batch checks %d, want 2", n)
		}
		e.Upload("/api/v1/eligibility/batch", w.county, "file", "x.xlsx", []byte("not a workbook")).Problem(400, "batch_unreadable")
	})
}

func TestComplianceLists(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newEligWorld(t, e)
		list := func(kind string, tok string) map[string][]string {
			var page struct {
				Items []struct {
					CadreCode string
					Subject   struct{ Code string }
					Detail    string
				}
				Total int
			}
			e.Do("GET", "/api/v1/compliance?pageSize=200&kind="+kind, tok, nil).Status(200).JSON(&page)
			out := map[string][]string{}
			for _, it := range page.Items {
				if strings.HasPrefix(it.CadreCode, "ELIG-") {
					out[it.CadreCode] = append(out[it.CadreCode], it.Subject.Code)
				}
			}
			return out
		}
		over := list("overdue", w.province)
		if len(over["ELIG-3"]) != 3 || len(over["ELIG-2"]) != 2 || over["ELIG-1"] != nil || over["ELIG-4"] != nil {
			t.Fatalf("overdue %v", over)
		}
		due := list("due30", w.province)
		if len(due["ELIG-4"]) != 2 || due["ELIG-3"] != nil {
			t.Fatalf("due30 %v", due)
		}
		if exp := list("expiring", w.county); len(exp["ELIG-4"]) != 1 || exp["ELIG-4"][0] != "political_theory" {
			t.Fatalf("expiring %v", exp)
		}
		e.Do("GET", "/api/v1/compliance?kind=soon", w.province, nil).Problem(400, "validation_failed")
		e.Do("GET", fmt.Sprintf("/api/v1/compliance?kind=overdue&orgId=%d", w.k2.ID), w.county, nil).Problem(400, "org_not_found")
		x := e.Do("GET", "/api/v1/compliance/export?kind=overdue", w.province, nil).Status(200)
		if ct := x.Head.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Fatalf("export content type %q", ct)
		}
		if _, err := excelize.OpenReader(bytes.NewReader(x.Body)); err != nil {
			t.Fatal(err)
		}
		e.Do("POST", "/api/v1/compliance/actions", w.county, map[string]any{"cadreId": w.ids["ELIG-3"], "action": "待岗",
			"note": "逾期未取得任职资格证书", "documentNo": "青组〔2026〕3号"}).Status(201)
		e.Do("POST", "/api/v1/compliance/actions", w.county, map[string]any{"cadreId": w.k2CadreID, "action": "降级"}).Problem(404, "not_found")
		e.Do("POST", "/api/v1/compliance/actions", w.county, map[string]any{"cadreId": w.ids["ELIG-3"], "action": "开除"}).Problem(400, "validation_failed")
		if n := auditCount(t, e, "compliance.action"); n != 1 {
			t.Fatalf("audited actions %d", n)
		}
	})
}
