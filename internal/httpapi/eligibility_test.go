package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
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
	CheckedBy       string
	AsOf            string
	BatchID         *int64
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
	_, n, err := e.App.Audit.List(context.Background(), audit.Filter{Action: action, Page: 1, PageSize: 1})
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

// xlsxOf writes rows to a workbook.
func xlsxOf(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// batchOut uploads a roster and returns the result rows and the batch record's ID.
func (w *eligWorld) batch(t *testing.T, tok string, roster []byte) ([][]string, string) {
	t.Helper()
	r := w.e.Upload("/api/v1/eligibility/batch", tok, "file", "名单.xlsx", roster).Status(200)
	out, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	got, err := out.GetRows(out.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	id := r.Head.Get("X-Eligibility-Batch-Id")
	if id == "" {
		t.Fatal("no X-Eligibility-Batch-Id")
	}
	return got, id
}

type batchRecord struct {
	ID                                   int64
	FileName, FileSha256, Digest         string
	Rows, Eligible, Ineligible, Problems int
	CreatedBy                            string
}

// keptDigest recomputes a batch's digest from its kept checks, as an auditor would.
func keptDigest(t *testing.T, e *apitest.Env, batchID string) (string, int) {
	t.Helper()
	rows, err := e.App.Store.DB().Gorm.Raw("SELECT id, eligible FROM eligibility_checks WHERE batch_id = ? ORDER BY id", batchID).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	n := 0
	for rows.Next() {
		var id int64
		var ok bool
		if err := rows.Scan(&id, &ok); err != nil {
			t.Fatal(err)
		}
		verdict := "ineligible"
		if ok {
			verdict = "eligible"
		}
		fmt.Fprintf(h, "%d %s\n", id, verdict)
		n++
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), n
}

func TestEligibilityBatch(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newEligWorld(t, e)
		// An exception, which the batch must apply as a single check does.
		e.Do("POST", "/api/v1/eligibility/exceptions", w.county, map[string]any{"cadreId": w.ids["ELIG-2"], "targetPostLevel": "county_deputy",
			"type": "exceptional", "justification": "hard_area_results", "approver": "中共示范省委组织部", "documentNo": "示组函〔2026〕8号",
			"rules": []string{"grassroots"}}).Status(201)
		roster := xlsxOf(t, [][]any{{"干部编号", "拟任职务层次", "职务类别", "核查日期"},
			{"ELIG-1", "县处级副职", "党政领导", ""},
			{"ELIG-2", "county_deputy", "party_government_leader", w.today.String()},
			{"NOPE-9", "县处级副职", "党政领导", ""},
			{"ELIG-1", "科员", "党政领导", ""},
			{"K2-001", "县处级副职", "党政领导", ""}, // county 2's cadre: outside county 1's scope
			{},
			{"ELIG-3", "县处级正职", "行政管理", w.today.AddDays(-30).String()},
			{"ELIG-4", "乡科级正职", "党群组织管理", ""},
			{"", "县处级副职", "党政领导", ""},
		})
		got, batchID := w.batch(t, w.county, roster)
		if len(got) != 9 {
			t.Fatalf("rows %q", got)
		}
		var verdicts, rowNos []string
		for _, r := range got[1:] {
			verdicts, rowNos = append(verdicts, r[6]), append(rowNos, r[0])
		}
		if strings.Join(verdicts, ",") != "符合,不符合,无法核查,无法核查,无法核查,不符合,不符合,无法核查" ||
			strings.Join(rowNos, ",") != "2,3,4,5,6,8,9,10" {
			t.Fatalf("verdicts %v rows %v", verdicts, rowNos)
		}
		if !strings.Contains(got[2][7], "缺少决策能力资格证书") || !strings.Contains(got[2][8], "【已破格】基层工作经历") ||
			!strings.Contains(got[3][7], "「NOPE-9」不存在或不在管理范围内") || !strings.Contains(got[4][7], "无法识别") ||
			!strings.Contains(got[5][7], "「K2-001」不存在或不在管理范围内") || got[5][2] != "" ||
			got[8][7] != "缺少干部编号" || got[1][2] != "张合格" || got[1][5] != w.today.String() {
			t.Fatalf("reasons %q", got)
		}
		if n := auditCount(t, e, "eligibility.check"); n != 0 {
			t.Fatalf("a batch audits its checks once, not per row: %d eligibility.check entries", n)
		}

		// Every checked row is kept as a single check of the same request is, pointing to the batch.
		codes := map[string]string{"县处级副职": "county_deputy", "county_deputy": "county_deputy", "县处级正职": "county_principal", "乡科级正职": "township_principal",
			"党政领导": "party_government_leader", "party_government_leader": "party_government_leader", "行政管理": "administrative", "党群组织管理": "party_mass"}
		checked := 0
		var checkIDs []int64
		for _, r := range got[1:] {
			if len(r) < 10 || r[9] == "" {
				continue
			}
			checked++
			var kept, single checkOut
			e.Do("GET", "/api/v1/eligibility/checks/"+r[9], w.county, nil).Status(200).JSON(&kept)
			if kept.BatchID == nil || fmt.Sprint(*kept.BatchID) != batchID || kept.AsOf != r[5] || kept.CheckedBy != "personnel_k1" {
				t.Fatalf("kept check %+v of row %q", kept, r)
			}
			checkIDs = append(checkIDs, kept.ID)
			e.Do("POST", "/api/v1/eligibility/checks", w.county, map[string]any{"cadreId": w.ids[r[1]], "targetPostLevel": codes[r[3]],
				"postCategory": codes[r[4]], "asOf": r[5]}).Status(200).JSON(&single)
			if single.BatchID != nil || single.Eligible != kept.Eligible || fmt.Sprintf("%+v", single.Rules) != fmt.Sprintf("%+v", kept.Rules) {
				t.Fatalf("row %s: batch %+v\nsingle %+v", r[0], kept, single)
			}
			var fails []string
			for _, x := range kept.Rules {
				if x.Status == "fail" {
					fails = append(fails, x.Title+"："+x.Detail)
				}
			}
			if r[7] != strings.Join(fails, "\n") {
				t.Fatalf("row %s: failures %q, kept %q", r[0], r[7], fails)
			}
		}

		// One audit entry names the batch record, which counts the rows and digests the kept checks.
		events, n, err := e.App.Audit.List(context.Background(), audit.Filter{Action: "eligibility.batch", Page: 1, PageSize: 5})
		if err != nil || n != 1 || events[0].TargetType != "eligibility_batch" || events[0].TargetID != batchID || events[0].ActorName != "personnel_k1" {
			t.Fatalf("batch audit %+v %d %v", events, n, err)
		}
		var b batchRecord
		e.Do("GET", "/api/v1/eligibility/batches/"+batchID, w.county, nil).Status(200).JSON(&b)
		digest, kept := keptDigest(t, e, batchID)
		sum := sha256.Sum256(roster)
		if b.Rows != 8 || b.Eligible != 1 || b.Ineligible != 3 || b.Problems != 4 || kept != checked || b.Digest != digest ||
			b.FileName != "名单.xlsx" || b.FileSha256 != hex.EncodeToString(sum[:]) || b.CreatedBy != "personnel_k1" {
			t.Fatalf("batch %+v, kept %d (%s)", b, kept, digest)
		}
		if !strings.Contains(events[0].Summary, digest) || !strings.Contains(events[0].Summary, `"problems":4`) {
			t.Fatalf("batch audit summary %s", events[0].Summary)
		}
		var list struct {
			Items []checkOut
			Total int
		}
		e.Do("GET", "/api/v1/eligibility/checks?pageSize=100&batchId="+batchID, w.county, nil).Status(200).JSON(&list)
		if list.Total != checked || len(list.Items) != checked || list.Items[0].ID != checkIDs[len(checkIDs)-1] {
			t.Fatalf("checks of the batch %+v", list)
		}
		for _, x := range list.Items {
			if x.BatchID == nil || fmt.Sprint(*x.BatchID) != batchID {
				t.Fatalf("listed check %+v", x)
			}
		}
		e.Do("GET", "/api/v1/eligibility/batches/"+batchID, w.province, nil).Status(200)
		county2 := e.As("personnel_k2", w.k2.ID, identity.RolePersonnel)
		e.Do("GET", "/api/v1/eligibility/batches/"+batchID, county2, nil).Problem(404, "not_found")
		e.Do("GET", "/api/v1/eligibility/batches/"+batchID, w.county1Cadre, nil).Problem(403, "forbidden")

		e.Upload("/api/v1/eligibility/batch", w.county, "file", "x.xlsx", []byte("not a workbook")).Problem(400, "batch_unreadable")
		e.Upload("/api/v1/eligibility/batch", w.county, "file", "x.xlsx", make([]byte, 33<<20)).Problem(413, "body_too_large")
		e.Upload("/api/v1/eligibility/batch", w.county, "file", "x.xlsx", xlsxOf(t, [][]any{{"干部编号", "姓名"}})).Problem(400, "validation_failed")
	})
}

// TestEligibilityBatchOfThousands checks a roster larger than one chunk of the batch and than one
// multi-row INSERT on SQLite: every row answered in order, every check kept and counted once.
func TestEligibilityBatchOfThousands(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newEligWorld(t, e)
		const n = 6000
		rows := [][]any{{"干部编号", "拟任职务层次", "职务类别"}}
		for i := 0; i < n; i++ {
			code := []string{"ELIG-1", "ELIG-2", "ELIG-3", "ELIG-4", "K2-001", fmt.Sprintf("NOPE-%d", i)}[i%6]
			rows = append(rows, []any{code, "县处级副职", "党政领导"})
		}
		got, batchID := w.batch(t, w.county, xlsxOf(t, rows))
		if len(got) != n+1 {
			t.Fatalf("%d result rows", len(got))
		}
		want := []string{"符合", "不符合", "不符合", "不符合", "无法核查", "无法核查"}
		var last int64
		for i, r := range got[1:] {
			if r[0] != fmt.Sprint(i+2) || r[6] != want[i%6] {
				t.Fatalf("row %d: %q", i+2, r)
			}
			if r[6] != "无法核查" {
				id, _ := strconv.ParseInt(r[9], 10, 64)
				if id <= last {
					t.Fatalf("row %d: check %d after %d", i+2, id, last)
				}
				last = id
			}
		}
		var b batchRecord
		e.Do("GET", "/api/v1/eligibility/batches/"+batchID, w.county, nil).Status(200).JSON(&b)
		digest, kept := keptDigest(t, e, batchID)
		if b.Rows != n || b.Eligible != n/6 || b.Ineligible != n/2 || b.Problems != n/3 || kept != 4*n/6 || b.Digest != digest {
			t.Fatalf("batch %+v, kept %d", b, kept)
		}
		if c := auditCount(t, e, "eligibility.batch"); c != 1 {
			t.Fatalf("batch audited %d times", c)
		}
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
