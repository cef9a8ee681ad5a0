package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"qualify/internal/apitest"
	"qualify/internal/identity"
	"qualify/internal/org"
)

// cadreWorld is a province with two counties, a personnel user at each level and some readers.
type cadreWorld struct {
	e                    *apitest.Env
	k1, k2, k1u, k2u     org.Org
	province, county1    string // personnel tokens
	exam, county1Cadre   string
	k1CadreID, k2CadreID int64
}

func newCadreWorld(t *testing.T, e *apitest.Env) *cadreWorld {
	city := e.Org(&e.Root, "city", "东川市", "C1")
	w := &cadreWorld{e: e}
	w.k1 = e.Org(&city, "county", "青山县", "C1-K1")
	w.k2 = e.Org(&city, "county", "白水县", "C1-K2")
	w.k1u = e.Org(&w.k1, "unit", "青山县财政局", "C1-K1-U1")
	w.k2u = e.Org(&w.k2, "unit", "白水县财政局", "C1-K2-U1")
	w.province = e.As("personnel_p", e.Root.ID, identity.RolePersonnel)
	w.county1 = e.As("personnel_k1", w.k1.ID, identity.RolePersonnel)
	w.exam = e.As("examadmin", e.Root.ID, identity.RoleExamadmin)
	w.k1CadreID = w.create(t, w.province, cadreBody(w.k1u.ID, "K1-001", "李青山"), 201)
	w.k2CadreID = w.create(t, w.province, cadreBody(w.k2u.ID, "K2-001", "王白水"), 201)
	id := w.k1CadreID
	if _, err := e.App.Identity.EnsureUser(context.Background(), identity.NewUser{Username: "cadre001", DisplayName: "李青山",
		Password: apitest.Password, OrgID: w.k1u.ID, CadreID: &id}, []identity.Role{identity.RoleCadre}); err != nil {
		t.Fatal(err)
	}
	w.county1Cadre = e.Login("cadre001")
	return w
}

func cadreBody(orgID int64, code, name string) map[string]any {
	return map[string]any{"orgId": orgID, "code": code, "name": name, "gender": "male", "birthDate": "1980-05-01",
		"education": "bachelor", "partyJoinDate": "2003-07-01", "workStartDate": "2002-08-01", "postCategory": "administrative",
		"currentPost": "财政局副局长", "postLevel": "township_deputy", "termStart": "2019-03-01"}
}

func (w *cadreWorld) create(t *testing.T, tok string, body map[string]any, status int) int64 {
	t.Helper()
	r := w.e.Do("POST", "/api/v1/cadres", tok, body).Status(status)
	var out struct{ ID int64 }
	if status == 201 {
		r.JSON(&out)
	}
	return out.ID
}

type cadreList struct {
	Items []struct {
		ID        int64
		Code      string
		Name      string
		OrgID     int64
		OrgName   string
		PostLevel *string
	}
	Total    int
	Page     int
	PageSize int
}

func (w *cadreWorld) search(t *testing.T, tok, query string) cadreList {
	t.Helper()
	var out cadreList
	w.e.Do("GET", "/api/v1/cadres"+query, tok, nil).Status(200).JSON(&out)
	return out
}

type cadreDetail struct {
	ID               int64
	Code, Name       string
	Gender           string
	BirthDate        string
	OrgID            int64
	OrgName          string
	PostLevel        *string
	Rank             *string
	PostCategory     string
	CurrentPost      string
	Reserve          bool
	YearsOfWork      int
	GrassrootsYears  int
	TimeInGradeYears int
	TimeInGradeDays  int
	TimeInGradeSince *string
	Posts            []struct {
		ID         int64
		Title      string
		PostLevel  *string
		StartDate  string
		EndDate    *string
		Grassroots bool
	}
}

func TestCadreCRUD(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newCadreWorld(t, e)
		var got cadreDetail
		e.Do("GET", fmt.Sprintf("/api/v1/cadres/%d", w.k1CadreID), w.province, nil).Status(200).JSON(&got)
		if got.Code != "K1-001" || got.Name != "李青山" || got.BirthDate != "1980-05-01" || got.OrgName != "青山县财政局" ||
			got.PostLevel == nil || *got.PostLevel != "township_deputy" || got.YearsOfWork < 20 || len(got.Posts) != 0 {
			t.Fatalf("created cadre %+v", got)
		}

		// validation: every field error at once; duplicate code
		r := e.Do("POST", "/api/v1/cadres", w.province, map[string]any{"orgId": w.k1u.ID, "code": "X1", "name": "某",
			"gender": "male", "birthDate": "2030-01-01", "education": "bachelor", "workStartDate": "2031-01-01", "postCategory": "nope"})
		r.Problem(400, "validation_failed")
		for _, f := range []string{"birthDate", "workStartDate", "postCategory"} {
			if !strings.Contains(string(r.Body), `"field":"`+f+`"`) {
				t.Errorf("no error for %s: %s", f, r.Body)
			}
		}
		e.Do("POST", "/api/v1/cadres", w.province, cadreBody(w.k1u.ID, "K1-001", "重名")).Problem(409, "code_taken")

		// update
		e.Do("PATCH", fmt.Sprintf("/api/v1/cadres/%d", w.k1CadreID), w.county1, map[string]any{"name": "李青峰", "reserve": true,
			"rank": "senior_staff_3"}).Status(200)
		e.Do("PATCH", fmt.Sprintf("/api/v1/cadres/%d", w.k1CadreID), w.county1, map[string]any{"gender": "x"}).Problem(400, "validation_failed")

		// post history: a past grassroots post, then a promotion
		base := fmt.Sprintf("/api/v1/cadres/%d/posts", w.k1CadreID)
		e.Do("POST", base, w.county1, map[string]any{"title": "河口镇副镇长", "postLevel": "township_deputy", "postCategory": "party_government_leader",
			"unitName": "河口镇", "startDate": "2010-01-01", "endDate": "2015-01-01", "grassroots": true}).Status(201)
		var cur struct{ ID int64 }
		e.Do("POST", base, w.county1, map[string]any{"title": "财政局局长", "postLevel": "township_principal", "postCategory": "administrative",
			"unitOrgId": w.k1u.ID, "startDate": "2015-01-01", "probationEnd": "2016-01-01"}).Status(201).JSON(&cur)
		e.Do("POST", base, w.county1, map[string]any{"title": "", "postCategory": "administrative", "startDate": "2015-01-01"}).Problem(400, "validation_failed")

		e.Do("GET", fmt.Sprintf("/api/v1/cadres/%d", w.k1CadreID), w.county1, nil).Status(200).JSON(&got)
		if got.Name != "李青峰" || !got.Reserve || got.Rank == nil || *got.Rank != "senior_staff_3" || len(got.Posts) != 2 {
			t.Fatalf("after update %+v", got)
		}
		if *got.PostLevel != "township_principal" || got.CurrentPost != "财政局局长" || got.GrassrootsYears < 5+5 ||
			got.TimeInGradeSince == nil || *got.TimeInGradeSince != "2015-01-01" || got.TimeInGradeYears < 5 {
			t.Fatalf("derived facts %+v", got)
		}
		if !got.Posts[1].Grassroots { // a county unit counts as grassroots by default
			t.Errorf("county unit post not grassroots: %+v", got.Posts[1])
		}

		// end the current post
		end := fmt.Sprintf("%s/%d/end", base, cur.ID)
		e.Do("POST", end, w.county1, map[string]any{"endDate": "2014-01-01"}).Problem(400, "validation_failed")
		e.Do("POST", end, w.county1, map[string]any{"endDate": "2020-01-01"}).Status(200)
		e.Do("POST", end, w.county1, map[string]any{"endDate": "2020-01-01"}).Problem(409, "post_already_ended")
		e.Do("GET", fmt.Sprintf("/api/v1/cadres/%d", w.k1CadreID), w.county1, nil).Status(200).JSON(&got)
		if got.PostLevel != nil || got.CurrentPost != "" || got.TimeInGradeYears != 0 {
			t.Errorf("after ending the post: %+v", got)
		}

		// search
		if l := w.search(t, w.province, "?q=青峰"); l.Total != 1 || l.Items[0].ID != w.k1CadreID || l.Items[0].OrgName != "青山县财政局" {
			t.Errorf("search by name: %+v", l)
		}
		if l := w.search(t, w.province, "?q=k2-"); l.Total != 1 || l.Items[0].Code != "K2-001" {
			t.Errorf("search by code: %+v", l)
		}
		if l := w.search(t, w.province, "?postLevel=township_deputy"); l.Total != 1 || l.Items[0].Code != "K2-001" {
			t.Errorf("search by level: %+v", l)
		}
		if l := w.search(t, w.province, "?q=%25"); l.Total != 0 {
			t.Errorf("LIKE wildcard not escaped: %+v", l)
		}
		if l := w.search(t, w.province, "?page=2&pageSize=1"); l.Total != 2 || len(l.Items) != 1 || l.Page != 2 || l.Items[0].Code != "K2-001" {
			t.Errorf("pagination: %+v", l)
		}

		// every change is audited
		audTok := e.As("auditor1", e.Root.ID, identity.RoleAuditor)
		var ev struct{ Total int }
		e.Do("GET", "/api/v1/audit/events?targetType=cadre", audTok, nil).Status(200).JSON(&ev)
		if ev.Total != 2+1+2+1 { // 2 creates, 1 update, 2 posts, 1 end
			t.Errorf("audit entries for cadres: %d", ev.Total)
		}
	})
}

func TestCadreScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newCadreWorld(t, e)
		other := fmt.Sprintf("/api/v1/cadres/%d", w.k2CadreID)
		// a county personnel user cannot read, change or extend another county's cadre: 404 like a missing id
		e.Do("GET", other, w.county1, nil).Problem(404, "not_found")
		e.Do("GET", "/api/v1/cadres/999999", w.county1, nil).Problem(404, "not_found")
		e.Do("PATCH", other, w.county1, map[string]any{"name": "x"}).Problem(404, "not_found")
		e.Do("POST", other+"/posts", w.county1, map[string]any{"title": "x", "postCategory": "administrative", "startDate": "2015-01-01"}).Problem(404, "not_found")
		// nor create one there, nor move one there
		w.create(t, w.county1, cadreBody(w.k2u.ID, "K2-002", "越界"), 400)
		e.Do("PATCH", fmt.Sprintf("/api/v1/cadres/%d", w.k1CadreID), w.county1, map[string]any{"orgId": w.k2u.ID}).Problem(400, "org_not_found")
		// and their searches never list it
		for _, q := range []string{"", "?q=王白水", "?q=K2", fmt.Sprintf("?orgId=%d", w.k2.ID), "?pageSize=200"} {
			l := w.search(t, w.county1, q)
			for _, it := range l.Items {
				if it.ID == w.k2CadreID {
					t.Errorf("search %q lists the other county's cadre", q)
				}
			}
		}
		if l := w.search(t, w.county1, ""); l.Total != 1 || l.Items[0].ID != w.k1CadreID {
			t.Errorf("county search: %+v", l)
		}
		// the province sees all, and may narrow to one county
		e.Do("GET", other, w.province, nil).Status(200)
		if l := w.search(t, w.province, ""); l.Total != 2 {
			t.Errorf("province search: %+v", l)
		}
		if l := w.search(t, w.province, fmt.Sprintf("?orgId=%d", w.k2.ID)); l.Total != 1 || l.Items[0].ID != w.k2CadreID {
			t.Errorf("province search in county 2: %+v", l)
		}
	})
}

func TestCadreRoles(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newCadreWorld(t, e)
		// a cadre reads only their own record
		e.Do("GET", "/api/v1/cadres", w.county1Cadre, nil).Problem(403, "forbidden")
		e.Do("GET", fmt.Sprintf("/api/v1/cadres/%d", w.k1CadreID), w.county1Cadre, nil).Problem(403, "forbidden")
		var me cadreDetail
		e.Do("GET", "/api/v1/me/cadre", w.county1Cadre, nil).Status(200).JSON(&me)
		if me.ID != w.k1CadreID || me.Name != "李青山" {
			t.Errorf("me/cadre %+v", me)
		}
		e.Do("GET", "/api/v1/me/cadre", w.province, nil).Problem(404, "not_found")
		// the exam administrator reads but does not write
		e.Do("GET", fmt.Sprintf("/api/v1/cadres/%d", w.k2CadreID), w.exam, nil).Status(200)
		w.create(t, w.exam, cadreBody(w.k1u.ID, "E-1", "某"), 403)
		e.Do("PATCH", fmt.Sprintf("/api/v1/cadres/%d", w.k1CadreID), w.exam, map[string]any{"name": "x"}).Problem(403, "forbidden")
		// the ladder is for everyone signed in
		var l struct {
			Levels []struct {
				Code            string
				EquivalentRanks []string
			}
			Ranks        []struct{ Code string }
			Categories   []struct{ Code, Name string }
			Equivalences []struct{ PostLevel, Rank string }
		}
		e.Do("GET", "/api/v1/ladder", w.county1Cadre, nil).Status(200).JSON(&l)
		if len(l.Levels) != 10 || l.Levels[0].Code != "state_principal" || l.Levels[9].Code != "township_deputy" ||
			len(l.Ranks) != 12 || len(l.Categories) != 3 || len(l.Equivalences) != 10 || len(l.Levels[6].EquivalentRanks) != 2 {
			t.Errorf("ladder %+v", l)
		}
		e.Do("GET", "/api/v1/ladder", "", nil).Status(401)
	})
}

func roster(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	head := []any{"干部编号", "姓名", "性别", "出生日期", "学历", "入党时间", "参加工作时间", "所在单位编码", "现任职务", "职务层次", "职级", "职务类别", "任职时间", "是否后备干部", "是否基层"}
	all := append([][]any{head}, rows...)
	for i, r := range all {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRosterImport(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newCadreWorld(t, e)
		good := func(code, name string) []any {
			return []any{code, name, "女", "1985-10-12", "硕士研究生", "2008-06-01", "2009-08-01", "C1-K1-U1", "科员", "", "一级科员", "行政管理", "2012-08-01", "否", ""}
		}
		bad := good("R-002", "错行")
		bad[3] = "1985-02-30"
		before := w.search(t, w.province, "").Total

		// one bad row: nothing imported, the row and column are named
		r := e.Upload("/api/v1/cadres/import", w.county1, "file", "roster.xlsx", roster(t, good("R-001", "甲"), bad, good("R-003", "丙")))
		r.Problem(422, "roster_invalid")
		var p struct {
			Imported int
			Errors   []struct {
				Row     int
				Column  string
				Message string
			}
		}
		r.JSON(&p)
		if p.Imported != 0 || len(p.Errors) != 1 || p.Errors[0].Row != 3 || p.Errors[0].Column != "出生日期" || p.Errors[0].Message == "" {
			t.Fatalf("roster errors %s", r.Body)
		}
		if n := w.search(t, w.province, "").Total; n != before {
			t.Fatalf("a bad roster imported %d cadres", n-before)
		}

		// every problem, including scope and duplicates in the file and in the database
		out := good("R-004", "丁")
		out[7] = "C1-K2-U1"
		r = e.Upload("/api/v1/cadres/import", w.county1, "file", "roster.xlsx", roster(t, good("R-001", "甲"), good("R-001", "甲二"), good("K1-001", "旧"), out))
		r.Problem(422, "roster_invalid").JSON(&p)
		want := []string{"3 干部编号", "4 干部编号", "5 所在单位编码"}
		if len(p.Errors) != len(want) {
			t.Fatalf("errors %s", r.Body)
		}
		for i, x := range want {
			if got := fmt.Sprintf("%d %s", p.Errors[i].Row, p.Errors[i].Column); got != x {
				t.Errorf("error %d at %s, want %s", i, got, x)
			}
		}

		// a good file imports all, with the current post as first record
		r = e.Upload("/api/v1/cadres/import", w.county1, "file", "roster.xlsx", roster(t, good("R-001", "甲"), good("R-002", "乙"), good("R-003", "丙")))
		var ok struct {
			Imported int
			Errors   []any
		}
		r.Status(200).JSON(&ok)
		if ok.Imported != 3 || len(ok.Errors) != 0 {
			t.Fatalf("import %s", r.Body)
		}
		l := w.search(t, w.county1, "?q=R-")
		if l.Total != 3 {
			t.Fatalf("imported cadres: %+v", l)
		}
		var d cadreDetail
		e.Do("GET", fmt.Sprintf("/api/v1/cadres/%d", l.Items[1].ID), w.county1, nil).Status(200).JSON(&d)
		if d.Name != "乙" || d.Gender != "female" || d.Rank == nil || *d.Rank != "staff_1" || len(d.Posts) != 1 || d.Posts[0].StartDate != "2012-08-01" {
			t.Errorf("imported cadre %+v", d)
		}

		// refusals
		e.Upload("/api/v1/cadres/import", w.county1, "file", "roster.csv", []byte("a,b\n")).Problem(400, "roster_unreadable")
		e.Upload("/api/v1/cadres/import", w.county1, "other", "roster.xlsx", roster(t)).Problem(400, "file_required")
		e.Upload("/api/v1/cadres/import", w.exam, "file", "roster.xlsx", roster(t)).Problem(403, "forbidden")

		// the template has the headers and is itself a valid (empty) roster
		tr := e.Do("GET", "/api/v1/cadres/import/template", w.county1, nil).Status(200)
		if ct := tr.Head.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Fatalf("template content type %q", ct)
		}
		f, err := excelize.OpenReader(bytes.NewReader(tr.Body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetList()[0])
		if len(rows) < 1 || rows[0][0] != "干部编号" || len(rows[0]) != 16 {
			t.Fatalf("template header %v", rows)
		}
	})
}

func TestCadreRoutesInOpenAPI(t *testing.T) {
	e := apitest.New(t, "sqlite")
	r := e.Do("GET", "/api/openapi.json", "", nil).Status(200)
	for _, p := range []string{`"/api/v1/cadres"`, `"/api/v1/cadres/{id}"`, `"/api/v1/cadres/{id}/posts"`, `"/api/v1/cadres/import"`,
		`"/api/v1/cadres/import/template"`, `"/api/v1/ladder"`, `"/api/v1/me/cadre"`} {
		if !strings.Contains(string(r.Body), p) {
			t.Errorf("openapi lacks %s", p)
		}
	}
}
