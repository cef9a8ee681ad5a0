package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"qualify/internal/apitest"
	"qualify/internal/identity"
)

func TestRegradeReportAndAccommodations(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newExamWorld(t, e)
		now := time.Now()
		var ex struct{ ID int64 }
		body := w.examBody([]map[string]any{{"type": "single", "count": 20, "points": 3}, {"type": "multiple", "count": 5, "points": 8}}, now.Add(-time.Minute), now.Add(time.Hour))
		e.Do("POST", "/api/v1/exams", w.admin, body).Status(201).JSON(&ex)
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/publish", ex.ID), w.admin, nil).Status(200)
		var at attemptOut
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", ex.ID), w.cadre, nil).Status(201).JSON(&at)

		// Extra time for this candidate moves the running attempt's deadline.
		var before, after attemptOut
		e.Do("GET", fmt.Sprintf("/api/v1/attempts/%d", at.ID), w.cadre, nil).Status(200).JSON(&before)
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/accommodations", ex.ID), w.admin, map[string]any{"cadreId": w.cadreID, "kind": "extra_time", "extraMinutes": 30}).
			Problem(400, "validation_failed")
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/accommodations", ex.ID), w.admin, map[string]any{"cadreId": w.cadreID, "kind": "extra_time",
			"extraMinutes": 30, "reason": "视力障碍，经医院证明"}).Status(201)
		e.Do("GET", fmt.Sprintf("/api/v1/attempts/%d", at.ID), w.cadre, nil).Status(200).JSON(&after)
		d0, _ := time.Parse(time.RFC3339, before.Deadline)
		d1, _ := time.Parse(time.RFC3339, after.Deadline)
		if d1.Sub(d0) != 30*time.Minute {
			t.Fatalf("deadline moved by %v, want 30m", d1.Sub(d0))
		}

		// Integrity: five focus losses flag the sitting for review.
		for i := 0; i < 5; i++ {
			e.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/events", at.ID), w.cadre, map[string]any{"kind": "focus_lost"}).Status(200)
		}
		var sittings []struct {
			AttemptID      int64
			CadreName      string
			IntegrityCount int
			Flagged        bool
		}
		e.Do("GET", fmt.Sprintf("/api/v1/exams/%d/sittings", ex.ID), w.admin, nil).Status(200).JSON(&sittings)
		if len(sittings) != 1 || sittings[0].IntegrityCount != 5 || !sittings[0].Flagged || sittings[0].CadreName != "张三" {
			t.Fatalf("sittings %+v", sittings)
		}

		// Answer: all multiples right (40) and exactly 7 singles right (21): 61, a pass at 60.
		right := 0
		var boundary int64
		for _, q := range at.Questions {
			var key struct {
				Answer  any
				Options []struct{ Key, Text string }
			}
			e.Do("GET", fmt.Sprintf("/api/v1/questions/%d", q.ItemID), w.admin, nil).Status(200).JSON(&key)
			display := func(authored string) string {
				for _, o := range key.Options {
					if o.Key == authored {
						for _, d := range q.Options {
							if d.Text == o.Text {
								return d.Key
							}
						}
					}
				}
				return ""
			}
			var ans any
			switch q.Type {
			case "multiple":
				ans = []string{display("A"), display("C")}
			case "single":
				k := key.Answer.(string)
				if right < 7 {
					right++
					boundary = q.ItemID
				} else {
					k = map[string]string{"A": "B", "B": "C", "C": "D", "D": "A"}[k]
				}
				ans = display(k)
			}
			e.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", at.ID, q.ItemID), w.cadre, map[string]any{"answer": ans, "seq": 1}).Status(200)
		}
		var sub struct {
			Status     string
			TotalScore float64
			Passed     bool
		}
		e.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", at.ID), w.cadre, nil).Status(200).JSON(&sub)
		if sub.Status != "graded" || sub.TotalScore != 61 || !sub.Passed {
			t.Fatalf("submit %+v", sub)
		}
		var certs []struct{ Number, Status string }
		e.Do("GET", "/api/v1/me/certificates", w.cadre, nil).Status(200).JSON(&certs)
		if len(certs) != 1 || certs[0].Status != "valid" {
			t.Fatalf("certificates after pass %+v", certs)
		}

		// The key of one answered-right item was wrong: correct it (a reviewed new version) and regrade.
		var item struct {
			Answer  string
			Options []map[string]string
			Stem    string
		}
		e.Do("GET", fmt.Sprintf("/api/v1/questions/%d", boundary), w.admin, nil).Status(200).JSON(&item)
		fixed := map[string]any{"subject": "party_affairs", "type": "single", "stem": item.Stem, "options": item.Options,
			"answer": map[string]string{"A": "B", "B": "C", "C": "D", "D": "A"}[item.Answer], "points": 1, "explanation": "更正后的解析。",
			"knowledgePoints": []string{"测试/知识点"}, "competencies": []string{"nine.learning"}, "difficulty": 3, "basis": []any{}}
		e.Do("PUT", fmt.Sprintf("/api/v1/questions/%d", boundary), w.admin, fixed).Status(200)
		e.Do("POST", fmt.Sprintf("/api/v1/questions/%d/submit", boundary), w.admin, nil).Status(200)
		reviewer := e.As("examadmin2", e.Root.ID, identity.RoleExamadmin)
		e.Do("POST", fmt.Sprintf("/api/v1/questions/%d/approve", boundary), reviewer, nil).Status(200)
		var rg struct{ Attempts, Changed, NowFailed, ItemVersion int }
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/regrade", ex.ID), w.admin, map[string]any{"itemId": boundary}).Status(200).JSON(&rg)
		if rg.Attempts != 1 || rg.Changed != 1 || rg.NowFailed != 1 || rg.ItemVersion != 2 {
			t.Fatalf("regrade %+v", rg)
		}
		e.Do("GET", "/api/v1/me/certificates", w.cadre, nil).Status(200).JSON(&certs)
		if len(certs) != 1 || certs[0].Status != "revoked" {
			t.Fatalf("certificate after the pass was lost: %+v", certs)
		}
		// The attempt keeps the version it was served.
		stored, _ := e.App.Store.AttemptByID(t.Context(), at.ID)
		for _, q := range stored.Paper.Questions {
			if q.ItemID == boundary && q.Version != 1 {
				t.Fatalf("attempt now names version %d", q.Version)
			}
		}

		// The report: who sat, distribution, pass rate and item statistics; also as a workbook.
		var rep struct {
			Sat, Graded, Passed, IntegrityFlagged int
			Distribution                          []int
			Items                                 []struct {
				ItemID   int64
				Version  int
				N        int
				Facility float64
			}
		}
		e.Do("GET", fmt.Sprintf("/api/v1/exams/%d/report", ex.ID), w.admin, nil).Status(200).JSON(&rep)
		if rep.Sat != 1 || rep.Graded != 1 || rep.Passed != 0 || rep.IntegrityFlagged != 1 || len(rep.Items) != 25 || rep.Distribution[5] != 1 {
			t.Fatalf("report %+v", rep)
		}
		x := e.Do("GET", fmt.Sprintf("/api/v1/exams/%d/report.xlsx", ex.ID), w.admin, nil).Status(200)
		if !strings.HasPrefix(string(x.Body), "PK") {
			t.Fatal("report.xlsx is not a workbook")
		}
		e.Do("GET", fmt.Sprintf("/api/v1/exams/%d/report", ex.ID), w.cadre, nil).Problem(403, "forbidden")
		// The bank keeps the statistics with the version the exam used.
		var vs []struct {
			ExamID  int64
			Version int
			Stats   struct{ N int }
		}
		e.Do("GET", fmt.Sprintf("/api/v1/questions/%d/stats", boundary), w.admin, nil).Status(200).JSON(&vs)
		if len(vs) != 1 || vs[0].Version != 1 || vs[0].ExamID != ex.ID || vs[0].Stats.N != 1 {
			t.Fatalf("item stats %+v", vs)
		}
	})
}

func TestPapersPreparedAheadAreServed(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newExamWorld(t, e)
		now := time.Now()
		w.publish(t, now.Add(-time.Minute), now.Add(time.Hour))
		var res struct{ Candidates, Prepared int }
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/papers", w.examID), w.admin, nil).Status(200).JSON(&res)
		if res.Candidates != 1 || res.Prepared != 1 {
			t.Fatalf("prepare %+v", res)
		}
		var seed int64
		if err := e.DB.Gorm.Raw(`SELECT seed FROM prepared_papers WHERE exam_id = ?`, w.examID).Scan(&seed).Error; err != nil || seed == 0 {
			t.Fatalf("prepared seed %d %v", seed, err)
		}
		var at attemptOut
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", w.examID), w.cadre, nil).Status(201).JSON(&at)
		stored, _ := e.App.Store.AttemptByID(t.Context(), at.ID)
		if int64(stored.Paper.Seed) != seed {
			t.Fatalf("attempt seed %d, prepared %d", stored.Paper.Seed, seed)
		}
		var left int64
		e.DB.Gorm.Raw(`SELECT COUNT(*) FROM prepared_papers`).Scan(&left)
		if left != 0 {
			t.Fatal("a prepared paper was served twice")
		}
	})
}

func TestConcurrentStartsMakeOneAttempt(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newExamWorld(t, e)
		now := time.Now()
		w.publish(t, now.Add(-time.Minute), now.Add(time.Hour))
		var wg sync.WaitGroup
		codes := make([]int, 10)
		ids := make([]int64, 10)
		for i := range codes {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", w.examID), w.cadre, nil)
				codes[i] = r.Code
				var at struct{ ID int64 }
				_ = json.Unmarshal(r.Body, &at)
				ids[i] = at.ID
			}(i)
		}
		wg.Wait()
		created := 0
		for i, c := range codes {
			if c == 201 {
				created++
			} else if c != 200 {
				t.Fatalf("start %d answered %d", i, c)
			}
			if ids[i] != ids[0] || ids[i] == 0 {
				t.Fatalf("starts returned attempts %v", ids)
			}
		}
		if created != 1 {
			t.Fatalf("%d starts created an attempt, want 1", created)
		}
	})
}
