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
	"qualify/internal/identity"
)

// surveyWorld is a county with two townships and a provincial bureau, a Party school with its
// scheduler, a second school, personnel offices for the province and for the county, and four
// cadres with accounts: three township cadres (targeted) and a bureau cadre (not targeted).
type surveyWorld struct {
	e                              *apitest.Env
	school, otherSchool, personnel string
	countyPersonnel, outsider      string
	countyID, t1ID                 int64
	cadres                         []int64
	cadreToks                      []string
	cadreNames                     []string
	audit                          string
	otherCountyID                  int64
	bureauUnitID                   int64
}

func newSurveyWorld(t *testing.T, e *apitest.Env) *surveyWorld {
	w := &surveyWorld{e: e}
	sch := e.Org(&e.Root, "unit", "省委党校", "SCHOOL")
	other := e.Org(&e.Root, "unit", "省行政学院分院", "SCHOOL2")
	k := e.Org(&e.Root, "county", "青山县", "K")
	k2 := e.Org(&e.Root, "county", "白水县", "K2")
	t1 := e.Org(&k, "township", "青山县城关镇", "K-T1")
	t2 := e.Org(&k, "township", "青山县河口镇", "K-T2")
	bureau := e.Org(&e.Root, "unit", "省财政厅", "FIN")
	w.countyID, w.t1ID, w.otherCountyID, w.bureauUnitID = k.ID, t1.ID, k2.ID, bureau.ID
	w.school = e.As("school1", sch.ID, identity.RoleSchool)
	w.otherSchool = e.As("school2", other.ID, identity.RoleSchool)
	w.personnel = e.As("personnel1", e.Root.ID, identity.RolePersonnel)
	w.countyPersonnel = e.As("personnel2", k2.ID, identity.RolePersonnel)
	w.audit = e.As("auditor", e.Root.ID, identity.RoleAuditor)
	specs := []struct {
		org                      int64
		name, gender, birth, lvl string
	}{
		{t1.ID, "张卫东", "male", "1992-03-01", "township_deputy"},
		{t1.ID, "李红梅", "female", "1972-03-01", "township_principal"},
		{t2.ID, "王建国", "male", "1985-03-01", "township_deputy"},
		{bureau.ID, "赵省直", "male", "1980-03-01", "county_deputy"},
	}
	for i, sp := range specs {
		body := cadreBody(sp.org, fmt.Sprintf("S-%03d", i), sp.name)
		body["gender"], body["birthDate"], body["postLevel"] = sp.gender, sp.birth, sp.lvl
		if i == 0 { // the young one started work in 2014: 10-19 years; the others in 2002: 20+
			body["workStartDate"], body["partyJoinDate"], body["termStart"] = "2014-08-01", "2015-07-01", "2021-03-01"
		}
		var out struct{ ID int64 }
		e.Do("POST", "/api/v1/cadres", w.personnel, body).Status(201).JSON(&out)
		id := out.ID
		username := fmt.Sprintf("scadre%d", i)
		if _, err := e.App.Identity.EnsureUser(context.Background(), identity.NewUser{Username: username, DisplayName: sp.name,
			Password: apitest.Password, OrgID: sp.org, CadreID: &id}, []identity.Role{identity.RoleCadre}); err != nil {
			t.Fatal(err)
		}
		w.cadres = append(w.cadres, id)
		w.cadreNames = append(w.cadreNames, sp.name)
		w.cadreToks = append(w.cadreToks, e.Login(username))
	}
	w.outsider = w.cadreToks[3]
	return w
}

func surveyBody(target int64, opens, closes time.Time) map[string]any {
	return map[string]any{
		"title": "2027 年度乡镇干部培训需求调查", "intro": "请如实填写，结果匿名统计。",
		"opensAt": opens.Format(time.RFC3339), "closesAt": closes.Format(time.RFC3339),
		"target": map[string]any{"orgId": target, "postLevels": []string{"township_principal", "township_deputy"}},
		"questions": []map[string]any{
			{"key": "mode", "kind": "single", "text": "希望的培训方式", "required": true, "options": []map[string]string{
				{"key": "A", "text": "脱产"}, {"key": "B", "text": "集中"}, {"key": "C", "text": "网络"}, {"key": "D", "text": "自学"}}},
			{"key": "slots", "kind": "multiple", "text": "方便的培训时段", "options": []map[string]string{
				{"text": "工作日晚上"}, {"text": "周六"}, {"text": "周日"}, {"text": "节假日"}}},
			{"key": "useful", "kind": "rating", "text": "去年培训的实用性"},
			{"key": "difficulty", "kind": "text", "text": "工作中最大的困难"},
		},
	}
}

type surveyOut struct {
	ID        int64
	Status    string
	Questions []struct {
		Key     string
		Options []struct{ Key, Text string }
	}
}

type resultsOut struct {
	Targeted, Responded int
	ResponseRate        float64
	By, AsOf            string
	Groups              []struct {
		Key                 string
		Targeted, Responded int
	}
	Questions []struct {
		Key     string
		Overall struct {
			Answered int
			Options  []struct {
				Key   string
				Count int
			}
			MeanRating *float64
		}
		Groups []struct {
			Group     string
			Responded int
			Options   []struct {
				Key   string
				Count int
			}
		}
		Texts []struct{ Group, GroupLabel, Text string }
	}
}

func answer(mode string, slots []string, rating int, text string) map[string]any {
	as := []map[string]any{{"questionKey": "mode", "choices": []string{mode}}}
	if slots != nil {
		as = append(as, map[string]any{"questionKey": "slots", "choices": slots})
	}
	if rating != 0 {
		as = append(as, map[string]any{"questionKey": "useful", "rating": rating})
	}
	if text != "" {
		as = append(as, map[string]any{"questionKey": "difficulty", "text": text})
	}
	return map[string]any{"answers": as}
}

func TestSurveyLifecycle(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newSurveyWorld(t, e)
		now := time.Now()
		body := surveyBody(w.countyID, now.Add(-time.Hour), now.Add(7*24*time.Hour))

		t.Run("validation and roles", func(t *testing.T) {
			bad := surveyBody(w.countyID, now, now.Add(-time.Hour))
			bad["target"] = map[string]any{"postLevels": []string{"emperor"}}
			e.Do("POST", "/api/v1/surveys", w.school, bad).Problem(400, "validation_failed")
			noOpts := surveyBody(w.countyID, now, now.Add(time.Hour))
			noOpts["questions"] = []map[string]any{{"kind": "single", "text": "只有一个选项", "options": []map[string]string{{"text": "甲"}}}}
			e.Do("POST", "/api/v1/surveys", w.school, noOpts).Problem(400, "validation_failed")
			e.Do("POST", "/api/v1/surveys", w.cadreToks[0], body).Problem(403, "forbidden")
			// A county's personnel office may not survey another county.
			e.Do("POST", "/api/v1/surveys", w.countyPersonnel, body).Problem(400, "validation_failed")
		})

		var sv surveyOut
		e.Do("POST", "/api/v1/surveys", w.school, body).Status(201).JSON(&sv)
		if sv.Status != "draft" || len(sv.Questions) != 4 || sv.Questions[1].Options[1].Key != "B" {
			t.Fatalf("%+v", sv)
		}
		base := fmt.Sprintf("/api/v1/surveys/%d", sv.ID)

		// A draft is invisible to cadres.
		var mine []struct {
			Survey   struct{ ID int64 }
			Answered bool
			Response *struct {
				Answers []struct {
					QuestionKey string
					Choices     []string
				}
			}
		}
		e.Do("GET", "/api/v1/me/surveys", w.cadreToks[0], nil).Status(200).JSON(&mine)
		if len(mine) != 0 {
			t.Fatalf("draft shown: %+v", mine)
		}
		e.Do("POST", base+"/responses", w.cadreToks[0], answer("A", nil, 0, "")).Problem(404, "not_found")

		e.Do("POST", base+"/publish", w.otherSchool, nil).Problem(404, "not_found")
		e.Do("POST", base+"/publish", w.school, nil).Status(200).JSON(&sv)
		if sv.Status != "published" {
			t.Fatalf("%+v", sv)
		}
		e.Do("POST", base+"/publish", w.school, nil).Problem(409, "survey_not_draft")

		e.Do("GET", "/api/v1/me/surveys", w.cadreToks[0], nil).Status(200).JSON(&mine)
		if len(mine) != 1 || mine[0].Survey.ID != sv.ID || mine[0].Answered {
			t.Fatalf("%+v", mine)
		}
		e.Do("GET", "/api/v1/me/surveys", w.outsider, nil).Status(200).JSON(&mine)
		if len(mine) != 0 {
			t.Fatalf("outsider sees %+v", mine)
		}
		e.Do("POST", base+"/responses", w.outsider, answer("A", nil, 0, "")).Problem(404, "not_found")

		t.Run("answer validation", func(t *testing.T) {
			e.Do("POST", base+"/responses", w.cadreToks[0], map[string]any{"answers": []map[string]any{{"questionKey": "useful", "rating": 7}}}).
				Problem(400, "validation_failed")
			e.Do("POST", base+"/responses", w.cadreToks[0], answer("Z", nil, 0, "")).Problem(400, "validation_failed")
		})

		// First answer 201, a second one replaces it (200).
		e.Do("POST", base+"/responses", w.cadreToks[0], answer("A", []string{"A"}, 2, "")).Status(201)
		e.Do("POST", base+"/responses", w.cadreToks[0], answer("B", []string{"A", "B"}, 4, "晚上常有应急值班")).Status(200)
		e.Do("GET", "/api/v1/me/surveys", w.cadreToks[0], nil).Status(200).JSON(&mine)
		if len(mine) != 1 || !mine[0].Answered || mine[0].Response == nil || mine[0].Response.Answers[0].Choices[0] != "B" {
			t.Fatalf("%+v", mine)
		}
		e.Do("POST", base+"/responses", w.cadreToks[1], answer("C", []string{"B", "C"}, 5, "村级事务繁杂，学习时间少")).Status(201)
		e.Do("POST", base+"/responses", w.cadreToks[2], answer("B", []string{"A"}, 3, "缺少案例教学")).Status(201)

		t.Run("results by gender", func(t *testing.T) {
			r := e.Do("GET", base+"/results?by=gender", w.school, nil).Status(200)
			var res resultsOut
			r.JSON(&res)
			if res.Targeted != 3 || res.Responded != 3 || res.ResponseRate != 1 || res.By != "gender" {
				t.Fatalf("%+v", res)
			}
			mode := res.Questions[0]
			if mode.Overall.Options[1].Count != 2 || mode.Overall.Options[0].Count != 0 || mode.Overall.Options[2].Count != 1 {
				t.Fatalf("replaced answer counted? %+v", mode.Overall)
			}
			if res.Questions[2].Overall.MeanRating == nil || *res.Questions[2].Overall.MeanRating != 4 {
				t.Fatalf("mean %+v", res.Questions[2].Overall)
			}
			if len(res.Groups) != 2 || res.Groups[0].Key != "male" || res.Groups[0].Responded != 2 || res.Groups[1].Key != "female" {
				t.Fatalf("groups %+v", res.Groups)
			}
			texts := res.Questions[3].Texts
			if len(texts) != 3 {
				t.Fatalf("texts %+v", texts)
			}
			for _, name := range w.cadreNames {
				if bytes.Contains(r.Body, []byte(name)) {
					t.Fatalf("results name a cadre (%s): %s", name, r.Body)
				}
			}
			for _, id := range w.cadres {
				if bytes.Contains(r.Body, []byte(fmt.Sprintf(`"cadreId":%d`, id))) {
					t.Fatalf("results carry a cadre ID: %s", r.Body)
				}
			}
		})

		for _, tc := range []struct {
			by     string
			groups []string
		}{
			{"level", []string{"township_principal", "township_deputy"}},
			{"department", []string{fmt.Sprint(w.t1ID)}},
			{"age_band", []string{"30_39", "40_49", "50_plus"}},
			{"education", []string{"bachelor"}},
			{"experience", []string{"10_19", "20_plus"}},
			{"", []string{"township_principal", "township_deputy"}},
		} {
			t.Run("results by "+tc.by, func(t *testing.T) {
				var res resultsOut
				e.Do("GET", base+"/results?by="+tc.by, w.personnel, nil).Status(200).JSON(&res)
				for _, want := range tc.groups {
					found := false
					for _, g := range res.Groups {
						found = found || g.Key == want
					}
					if !found {
						t.Fatalf("no group %s in %+v", want, res.Groups)
					}
				}
			})
		}
		t.Run("results access", func(t *testing.T) {
			e.Do("GET", base+"/results?by=shoe_size", w.school, nil).Problem(400, "invalid_dimension")
			e.Do("GET", base+"/results", w.otherSchool, nil).Problem(404, "not_found")
			e.Do("GET", base+"/results", w.countyPersonnel, nil).Problem(404, "not_found")
			e.Do("GET", base+"/results", w.cadreToks[0], nil).Problem(403, "forbidden")
		})

		t.Run("xlsx export", func(t *testing.T) {
			r := e.Do("GET", base+"/results.xlsx?by=age_band", w.school, nil).Status(200)
			if ct := r.Head.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
				t.Fatalf("content type %s", ct)
			}
			f, err := excelize.OpenReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := f.GetSheetList(); len(got) != 3 || got[0] != "概况" || got[1] != "统计" || got[2] != "文字回答" {
				t.Fatalf("sheets %v", got)
			}
			rows, _ := f.GetRows("文字回答")
			if len(rows) != 4 {
				t.Fatalf("text rows %v", rows)
			}
			stats, _ := f.GetRows("统计")
			if len(stats) < 10 {
				t.Fatalf("stats rows %d", len(stats))
			}
			for _, name := range w.cadreNames {
				for _, sheet := range []string{"概况", "统计", "文字回答"} {
					rows, _ := f.GetRows(sheet)
					if strings.Contains(fmt.Sprint(rows), name) {
						t.Fatalf("%s names %s", sheet, name)
					}
				}
			}
		})

		var list struct {
			Items []surveyOut
			Total int
		}
		e.Do("GET", "/api/v1/surveys", w.school, nil).Status(200).JSON(&list)
		if list.Total != 1 || list.Items[0].ID != sv.ID {
			t.Fatalf("%+v", list)
		}
		e.Do("GET", "/api/v1/surveys", w.otherSchool, nil).Status(200).JSON(&list)
		if list.Total != 0 {
			t.Fatalf("other school sees %+v", list)
		}
		e.Do("GET", "/api/v1/surveys", w.personnel, nil).Status(200).JSON(&list)
		if list.Total != 1 {
			t.Fatalf("personnel sees %+v", list)
		}

		e.Do("POST", base+"/close", w.school, nil).Status(200).JSON(&sv)
		if sv.Status != "closed" {
			t.Fatalf("%+v", sv)
		}
		e.Do("POST", base+"/close", w.school, nil).Problem(409, "survey_not_published")
		e.Do("POST", base+"/responses", w.cadreToks[0], answer("D", nil, 0, "")).Problem(422, "survey_not_open")
		e.Do("GET", "/api/v1/me/surveys", w.cadreToks[0], nil).Status(200).JSON(&mine)
		if len(mine) != 0 {
			t.Fatalf("closed survey still listed: %+v", mine)
		}
		var res resultsOut
		e.Do("GET", base+"/results", w.school, nil).Status(200).JSON(&res)
		if res.AsOf != time.Now().In(shanghaiLoc()).Format("2006-01-02") || res.Responded != 3 {
			t.Fatalf("after close: %+v", res)
		}

		for _, action := range []string{"training.survey.create", "training.survey.publish", "training.survey.close"} {
			var page struct{ Total int }
			e.Do("GET", "/api/v1/audit/events?action="+action, w.audit, nil).Status(200).JSON(&page)
			if page.Total != 1 {
				t.Fatalf("%s entries = %d, want 1", action, page.Total)
			}
		}
	})
}

func shanghaiLoc() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}

func TestSurveyWindowAndPersonnel(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newSurveyWorld(t, e)
		now := time.Now()
		// Personnel naming no org survey their own scope; the survey opens tomorrow.
		body := surveyBody(0, now.Add(24*time.Hour), now.Add(48*time.Hour))
		body["target"] = map[string]any{"postLevels": []string{"township_deputy"}}
		var sv struct {
			ID     int64
			Target struct {
				OrgID *int64
			}
		}
		e.Do("POST", "/api/v1/surveys", w.personnel, body).Status(201).JSON(&sv)
		if sv.Target.OrgID == nil || *sv.Target.OrgID != e.Root.ID {
			t.Fatalf("%+v", sv)
		}
		base := fmt.Sprintf("/api/v1/surveys/%d", sv.ID)
		e.Do("GET", base, w.school, nil).Problem(404, "not_found")
		e.Do("POST", base+"/publish", w.personnel, nil).Status(200)
		e.Do("POST", base+"/responses", w.cadreToks[0], answer("A", nil, 0, "")).Problem(422, "survey_not_open")
		var mine []struct{ Survey struct{ ID int64 } }
		e.Do("GET", "/api/v1/me/surveys", w.cadreToks[0], nil).Status(200).JSON(&mine)
		if len(mine) != 0 {
			t.Fatalf("not yet open: %+v", mine)
		}
		var res resultsOut
		e.Do("GET", base+"/results?by=level", w.personnel, nil).Status(200).JSON(&res)
		if res.Targeted != 2 || res.Responded != 0 || res.ResponseRate != 0 {
			t.Fatalf("%+v", res)
		}

		// A survey whose close has passed cannot be published.
		past := surveyBody(w.countyID, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
		e.Do("POST", "/api/v1/surveys", w.school, past).Status(201).JSON(&sv)
		e.Do("POST", fmt.Sprintf("/api/v1/surveys/%d/publish", sv.ID), w.school, nil).Problem(422, "survey_expired")
	})
}
