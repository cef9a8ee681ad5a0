package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"qualify/internal/apitest"
	"qualify/internal/exam"
	"qualify/internal/identity"
)

// bankYAML builds a small published party_affairs bank: singles, multiples, true/false and cases.
func bankYAML() string {
	var b strings.Builder
	b.WriteString("subject: party_affairs\nitems:\n")
	common := "    explanation: 解析。\n    basis: []\n    knowledge_points: [测试/知识点]\n    competencies: [nine.learning]\n"
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "  - id: pa-t-s%03d\n    type: single\n    stem: 第%d道单选题题干，关于组织原则%d。\n    options: {A: 甲%d, B: 乙%d, C: 丙%d, D: 丁%d}\n    answer: %c\n    points: 1\n    difficulty: %d\n%s",
			i, i, i, i, i, i, i, 'A'+rune(i%4), i%5+1, common)
	}
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&b, "  - id: pa-t-m%03d\n    type: multiple\n    stem: 第%d道多选题题干，关于纪律规定%d。\n    options: {A: 子%d, B: 丑%d, C: 寅%d, D: 卯%d}\n    answer: [A, C]\n    scoring: partial_a\n    points: 2\n    difficulty: %d\n%s",
			i, i, i, i, i, i, i, i%5+1, common)
	}
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&b, "  - id: pa-t-c%03d\n    type: case_analysis\n    stem: 第%d道案例分析题，某乡镇发生情况%d，请分析。\n    points: 20\n    difficulty: 4\n    reference_answer: 参考答案%d。\n    rubric:\n      - criterion: 要点一%d\n        points: 8\n      - criterion: 要点二%d\n        points: 12\n    tolerance: 3\n%s",
			i, i, i, i, i, i, common)
	}
	return b.String()
}

type examWorld struct {
	e                       *apitest.Env
	admin, grader1, grader2 string
	grader3, cadre          string
	cadreID                 int64
	examID                  int64
}

func newExamWorld(t *testing.T, e *apitest.Env) *examWorld {
	t.Helper()
	w := &examWorld{e: e}
	res, err := e.App.Bank.Import(context.Background(), identity.Principal{Username: "system"}, "t.yaml", []byte(bankYAML()), "", true)
	if err != nil || len(res.Problems) > 0 || res.Imported != 46 {
		t.Fatalf("bank import: %v %v %+v", err, res.Problems, res)
	}
	w.admin = e.As("examadmin", e.Root.ID, identity.RoleExamadmin)
	w.grader1 = e.As("grader1", e.Root.ID, identity.RoleGrader)
	w.grader2 = e.As("grader2", e.Root.ID, identity.RoleGrader)
	w.grader3 = e.As("grader3", e.Root.ID, identity.RoleGrader)
	personnel := e.As("personnel1", e.Root.ID, identity.RolePersonnel)
	var c struct{ ID int64 }
	e.Do("POST", "/api/v1/cadres", personnel, cadreBody(e.Root.ID, "GB-T-1", "张三")).Status(201).JSON(&c)
	w.cadreID = c.ID
	if _, err := e.App.Identity.EnsureUser(context.Background(), identity.NewUser{Username: "cadre001", DisplayName: "张三",
		Password: apitest.Password, OrgID: e.Root.ID, CadreID: &c.ID}, []identity.Role{identity.RoleCadre}); err != nil {
		t.Fatal(err)
	}
	w.cadre = e.Login("cadre001")
	return w
}

func (w *examWorld) examBody(sections []map[string]any, opens, closes time.Time) map[string]any {
	return map[string]any{"title": "党务工作程序和业务能力资格考试（测试）", "subjectCode": "party_affairs", "durationMinutes": 60,
		"opensAt": opens.Format(time.RFC3339), "closesAt": closes.Format(time.RFC3339), "passScore": 60, "maxAttempts": 2,
		"blueprint": map[string]any{"sections": sections, "tolerance": 1}}
}

func standardSections() []map[string]any {
	return []map[string]any{{"type": "single", "count": 20, "points": 2}, {"type": "multiple", "count": 5, "points": 4}, {"type": "case_analysis", "count": 2, "points": 20}}
}

type attemptOut struct {
	ID        int64
	Status    string
	Deadline  string
	Questions []struct {
		ItemID  int64
		Type    string
		Stem    string
		Options []struct{ Key, Text string }
		Points  float64
		Answer  json.RawMessage
		Seq     int64
	}
}

func (w *examWorld) publish(t *testing.T, opens, closes time.Time) {
	t.Helper()
	var ex struct{ ID int64 }
	w.e.Do("POST", "/api/v1/exams", w.admin, w.examBody(standardSections(), opens, closes)).Status(201).JSON(&ex)
	w.e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/publish", ex.ID), w.admin, nil).Status(200)
	w.examID = ex.ID
}

func TestPublishRefusesInfeasibleBlueprint(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newExamWorld(t, e)
		now := time.Now()
		body := w.examBody([]map[string]any{{"type": "single", "count": 20, "points": 1}, {"type": "essay", "count": 2, "points": 40}}, now, now.Add(time.Hour))
		var ex struct{ ID int64 }
		e.Do("POST", "/api/v1/exams", w.admin, body).Status(201).JSON(&ex)
		var p struct {
			Code   string
			Errors []struct{ Field, Message string }
		}
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/publish", ex.ID), w.admin, nil).Problem(422, "blueprint_infeasible").JSON(&p)
		if len(p.Errors) != 1 || p.Errors[0].Field != "blueprint.sections[1]" || !strings.Contains(p.Errors[0].Message, "缺 2 道") {
			t.Fatalf("shortfall not named: %+v", p.Errors)
		}
		e.Do("GET", "/api/v1/me/exams", w.cadre, nil).Status(200)
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", ex.ID), w.cadre, nil).Problem(404, "not_found")
	})
}

func TestExamDeliveryAndMarking(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newExamWorld(t, e)
		now := time.Now()
		w.publish(t, now.Add(-time.Minute), now.Add(2*time.Hour))
		var mine []struct {
			ID    int64
			State string
		}
		e.Do("GET", "/api/v1/me/exams", w.cadre, nil).Status(200).JSON(&mine)
		if len(mine) != 1 || mine[0].State != "available" {
			t.Fatalf("my exams %+v", mine)
		}
		r := e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", w.examID), w.cadre, nil).Status(201)
		var at attemptOut
		r.JSON(&at)
		if len(at.Questions) != 27 || at.Status != "in_progress" {
			t.Fatalf("attempt %d questions, status %s", len(at.Questions), at.Status)
		}
		// No answer key, explanation, rubric or reference answer reaches the candidate.
		for _, leak := range []string{"解析。", "参考答案", "要点一", "explanation", "rubric", "referenceAnswer", "\"key\":\"", "correct"} {
			if leak == "\"key\":\"" {
				continue // option keys (display letters) are expected
			}
			if strings.Contains(string(r.Body), leak) {
				t.Fatalf("candidate payload contains %q", leak)
			}
		}
		// Resume returns the same attempt.
		var again attemptOut
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", w.examID), w.cadre, nil).Status(200).JSON(&again)
		if again.ID != at.ID {
			t.Fatal("a second start made a new attempt")
		}
		// Answer every objective question correctly, using the key the administrator sees.
		cases := 0
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
				t.Fatalf("option %s not shown", authored)
				return ""
			}
			var ans any
			switch q.Type {
			case "single":
				ans = display(key.Answer.(string))
			case "multiple":
				ans = []string{display("A"), display("C")}
			case "case_analysis":
				cases++
				ans = "我的分析：第一，……第二，……"
			}
			e.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", at.ID, q.ItemID), w.cadre, map[string]any{"answer": ans, "seq": 2}).Status(200)
		}
		// A stale sequence is refused and the stored answer stays.
		q0 := at.Questions[0]
		e.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", at.ID, q0.ItemID), w.cadre, map[string]any{"answer": "B", "seq": 1}).Problem(409, "stale_answer")
		e.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", at.ID, q0.ItemID), w.cadre, map[string]any{"answer": "A", "seq": 2}).Problem(409, "stale_answer")
		// A restarted server (a new application on the same database) has every acknowledged answer.
		restarted := apitest.NewOn(t, e.DB, apitest.Config(t))
		var resumed attemptOut
		restarted.Do("GET", fmt.Sprintf("/api/v1/attempts/%d", at.ID), restarted.Login("cadre001"), nil).Status(200).JSON(&resumed)
		for _, q := range resumed.Questions {
			if q.Seq != 2 || len(q.Answer) == 0 {
				t.Fatalf("answer to %d lost after restart: %+v", q.ItemID, q)
			}
		}
		// Fifty concurrent submits: one submission, the same result for all.
		var wg sync.WaitGroup
		results := make([]string, 50)
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				rr := e.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", at.ID), w.cadre, nil)
				results[i] = fmt.Sprint(rr.Code, string(rr.Body))
			}(i)
		}
		wg.Wait()
		for _, r := range results {
			if r != results[0] || !strings.HasPrefix(r, "200") || !strings.Contains(r, `"status":"grading"`) {
				t.Fatalf("submit results differ or failed: %s vs %s", r, results[0])
			}
		}
		aud := e.As("auditor", e.Root.ID, identity.RoleAuditor)
		var page struct{ Total int }
		e.Do("GET", "/api/v1/audit/events?action=attempt.submit", aud, nil).Status(200).JSON(&page)
		if page.Total != 1 {
			t.Fatalf("%d submissions recorded, want 1", page.Total)
		}
		// Every objective answer keeps the points it earned (all correct: 20×2 + 5×4).
		var scored struct {
			N   int64
			Sum float64
		}
		if err := e.App.DB.Gorm.Raw(`SELECT COUNT(points) AS n, COALESCE(SUM(points), 0) AS sum FROM attempt_answers WHERE attempt_id = ?`, at.ID).Scan(&scored).Error; err != nil {
			t.Fatal(err)
		}
		if scored.N != 25 || scored.Sum != 60 {
			t.Fatalf("answers scored %d, points %v; want 25, 60", scored.N, scored.Sum)
		}
		e.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", at.ID, q0.ItemID), w.cadre, map[string]any{"answer": "B", "seq": 9}).Problem(409, "attempt_closed")

		// Blind double marking: tasks carry no candidate identity.
		var tasks []map[string]any
		e.Do("GET", "/api/v1/grading/tasks", w.grader1, nil).Status(200).JSON(&tasks)
		if len(tasks) != cases {
			t.Fatalf("%d tasks, want %d", len(tasks), cases)
		}
		for _, k := range []string{"cadreId", "attemptId", "name", "username"} {
			if _, ok := tasks[0][k]; ok {
				t.Fatalf("task reveals %s", k)
			}
		}
		t1, t2 := int64(tasks[0]["id"].(float64)), int64(tasks[1]["id"].(float64))
		mark := func(tok string, id int64, pts float64) map[string]any {
			var out map[string]any
			e.Do("POST", fmt.Sprintf("/api/v1/grading/tasks/%d", id), tok, map[string]any{"points": pts}).Status(200).JSON(&out)
			return out
		}
		// Task 1: within tolerance (3) -> mean.
		mark(w.grader1, t1, 16)
		e.Do("POST", fmt.Sprintf("/api/v1/grading/tasks/%d", t1), w.grader1, map[string]any{"points": 15}).Problem(409, "already_marked")
		if out := mark(w.grader2, t1, 18); out["stage"] != "done" || out["finalScore"].(float64) != 17 {
			t.Fatalf("task 1 %v", out)
		}
		// Task 2: beyond tolerance -> third marker; third near neither -> arbitration by the chief.
		mark(w.grader1, t2, 4)
		mark(w.grader2, t2, 16)
		if out := mark(w.grader3, t2, 10); out["stage"] != "arbitration" {
			t.Fatalf("task 2 after third %v", out)
		}
		e.Do("POST", fmt.Sprintf("/api/v1/grading/tasks/%d", t2), w.grader1, map[string]any{"points": 9}).Problem(403, "forbidden")
		if out := mark(w.admin, t2, 9); out["stage"] != "done" || out["finalScore"].(float64) != 9 {
			t.Fatalf("task 2 arbitration %v", out)
		}
		// Marker agreement: grader1 and grader2 agreed on one task of two.
		var ms []struct {
			Username      string
			Paired        int
			AgreementRate float64
		}
		e.Do("GET", "/api/v1/grading/markers", w.admin, nil).Status(200).JSON(&ms)
		for _, m := range ms {
			if m.Username == "grader1" && (m.Paired != 2 || m.AgreementRate != 0.5) {
				t.Fatalf("grader1 agreement %+v", m)
			}
		}
		// Before release the candidate sees no score; after it, the total.
		var res struct {
			Status            string
			Released          bool
			TotalScore        *float64
			Passed            *bool
			CertificateNumber *string
		}
		e.Do("GET", fmt.Sprintf("/api/v1/attempts/%d/result", at.ID), w.cadre, nil).Status(200).JSON(&res)
		if res.Status != "graded" || res.Released || res.TotalScore != nil {
			t.Fatalf("result before release %+v", res)
		}
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/release", w.examID), w.admin, nil).Status(200)
		e.Do("GET", fmt.Sprintf("/api/v1/attempts/%d/result", at.ID), w.cadre, nil).Status(200).JSON(&res)
		// 20 singles x 2 + 5 multiples x 4 = 60 objective, plus 17 + 9 marked.
		if !res.Released || res.TotalScore == nil || *res.TotalScore != 86 || res.Passed == nil || !*res.Passed {
			t.Fatalf("released result %+v (total %v)", res, res.TotalScore)
		}
		// The pass was certified in the same transaction as the final score.
		if res.CertificateNumber == nil || *res.CertificateNumber == "" {
			t.Fatal("a passed attempt has no certificate")
		}
		var certs []struct{ Number string }
		e.Do("GET", "/api/v1/me/certificates", w.cadre, nil).Status(200).JSON(&certs)
		if len(certs) != 1 || certs[0].Number != *res.CertificateNumber {
			t.Fatalf("my certificates %+v, want %s", certs, *res.CertificateNumber)
		}
	})
}

func TestAbandonedAttemptIsSubmittedByTheServer(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newExamWorld(t, e)
		clock := &apitest.Clock{T: time.Now().UTC()}
		w.publish(t, clock.T.Add(-time.Minute), clock.T.Add(3*time.Hour))
		var at attemptOut
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", w.examID), w.cadre, nil).Status(201).JSON(&at)
		q := at.Questions[0]
		e.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", at.ID, q.ItemID), w.cadre, map[string]any{"answer": "A", "seq": 1}).Status(200)
		// Two server instances on one database run the deadline worker at the same moment.
		other := apitest.NewOn(t, e.DB, apitest.Config(t))
		for _, app := range []*apitest.Env{e, other} {
			app.App.Exams.SetClock(func() time.Time { return clock.T.Add(61 * time.Minute) })
		}
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, app := range []*apitest.Env{e, other} {
			wg.Add(1)
			go func(i int, app *apitest.Env) {
				defer wg.Done()
				n, err := app.App.Exams.AutoSubmitDue(context.Background(), 100)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}(i, app)
		}
		wg.Wait()
		aud := e.As("auditor", e.Root.ID, identity.RoleAuditor)
		var page struct {
			Total int
			Items []struct{ Summary map[string]any }
		}
		e.Do("GET", "/api/v1/audit/events?action=attempt.submit", aud, nil).Status(200).JSON(&page)
		if page.Total != 1 || page.Items[0].Summary["after"].(map[string]any)["by"] != "server" {
			t.Fatalf("server submissions %+v (workers reported %v)", page, counts)
		}
		// After the deadline a save changes nothing, and the graded attempt kept the saved answer.
		e.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", at.ID, q.ItemID), w.cadre, map[string]any{"answer": "B", "seq": 2}).Problem(409, "attempt_closed")
		var resumed attemptOut
		e.Do("GET", fmt.Sprintf("/api/v1/attempts/%d", at.ID), w.cadre, nil).Status(200).JSON(&resumed)
		if resumed.Status != "graded" || string(resumed.Questions[0].Answer) != `"A"` { // unanswered written items need no marker
			t.Fatalf("after auto-submit: %s %s", resumed.Status, resumed.Questions[0].Answer)
		}
	})
}

func TestOneDeviceAtATime(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newExamWorld(t, e)
		now := time.Now()
		w.publish(t, now.Add(-time.Minute), now.Add(time.Hour))
		start := func(dev string, takeover bool) *apitest.Response {
			return e.DoWith("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", w.examID), w.cadre, nil,
				map[string]string{"X-Device-ID": dev, "X-Device-Takeover": fmt.Sprint(takeover)})
		}
		var at attemptOut
		start("laptop", false).Status(201).JSON(&at)
		start("laptop", false).Status(200)
		start("tablet", false).Problem(409, "device_conflict")
		start("tablet", true).Status(200)
		q := at.Questions[0]
		r := e.DoWith("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", at.ID, q.ItemID), w.cadre, map[string]any{"answer": "A", "seq": 1},
			map[string]string{"X-Device-ID": "laptop"})
		r.Problem(409, "device_conflict")
	})
}

func TestPaperRegeneratesFromSeed(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newExamWorld(t, e)
		now := time.Now()
		w.publish(t, now.Add(-time.Minute), now.Add(time.Hour))
		var at attemptOut
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", w.examID), w.cadre, nil).Status(201).JSON(&at)
		ctx := context.Background()
		stored, err := e.App.Store.AttemptByID(ctx, at.ID)
		if err != nil {
			t.Fatal(err)
		}
		ex, _ := e.App.Store.ExamByID(ctx, w.examID)
		pool, _ := e.App.Store.Pool(ctx, "party_affairs")
		again, err := exam.Assemble(ex.Blueprint, pool, stored.Paper.Seed, nil)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(again.Questions) != fmt.Sprint(stored.Paper.Questions) {
			t.Fatal("the paper regenerated from its seed differs from the one served")
		}
	})
}

// Concurrent saves (batched into shared statements by the server) each get their own answer:
// for every question the highest seq wins, each acknowledged save is journaled once, and a
// refused one is stale.
func TestConcurrentSavesEachAcknowledged(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newExamWorld(t, e)
		now := time.Now()
		w.publish(t, now.Add(-time.Minute), now.Add(time.Hour))
		var at attemptOut
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", w.examID), w.cadre, nil).Status(201).JSON(&at)
		const repeats = 6
		letters := []string{"A", "B", "C", "D"}
		type res struct{ ok, stale int }
		var mu sync.Mutex
		got := map[int64]*res{}
		var wg sync.WaitGroup
		for _, q := range at.Questions {
			if q.Type != "single" {
				continue
			}
			got[q.ItemID] = &res{}
			for seq := 1; seq <= repeats; seq++ {
				wg.Add(1)
				go func(item int64, seq int) {
					defer wg.Done()
					r := e.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", at.ID, item), w.cadre,
						map[string]any{"answer": letters[seq%4], "seq": seq})
					mu.Lock()
					defer mu.Unlock()
					switch r.Code {
					case 200:
						got[item].ok++
					case 409:
						got[item].stale++
					default:
						t.Errorf("save %d/%d: %d %s", item, seq, r.Code, r.Body)
					}
				}(q.ItemID, seq)
			}
		}
		wg.Wait()
		// Another candidate can neither save into nor submit this attempt.
		personnel := e.As("personnel2", e.Root.ID, identity.RolePersonnel)
		var other struct{ ID int64 }
		e.Do("POST", "/api/v1/cadres", personnel, cadreBody(e.Root.ID, "GB-T-2", "李四")).Status(201).JSON(&other)
		if _, err := e.App.Identity.EnsureUser(context.Background(), identity.NewUser{Username: "cadre002", DisplayName: "李四",
			Password: apitest.Password, OrgID: e.Root.ID, CadreID: &other.ID}, []identity.Role{identity.RoleCadre}); err != nil {
			t.Fatal(err)
		}
		intruder := e.Login("cadre002")
		e.Do("PUT", fmt.Sprintf("/api/v1/attempts/%d/answers/%d", at.ID, at.Questions[0].ItemID), intruder, map[string]any{"answer": "A", "seq": 99}).Problem(404, "not_found")
		e.Do("POST", fmt.Sprintf("/api/v1/attempts/%d/submit", at.ID), intruder, nil).Problem(404, "not_found")
		var back attemptOut
		e.Do("POST", fmt.Sprintf("/api/v1/exams/%d/attempts", w.examID), w.cadre, nil).Status(200).JSON(&back)
		for _, q := range back.Questions {
			r, ok := got[q.ItemID]
			if !ok {
				continue
			}
			if q.Seq != repeats || string(q.Answer) != fmt.Sprintf("%q", letters[repeats%4]) {
				t.Errorf("item %d: stored seq %d answer %s, want seq %d answer %q", q.ItemID, q.Seq, q.Answer, repeats, letters[repeats%4])
			}
			if r.ok+r.stale != repeats || r.ok < 1 {
				t.Errorf("item %d: %d acknowledged, %d stale", q.ItemID, r.ok, r.stale)
			}
			var logged int64
			if err := e.App.DB.Gorm.Raw(`SELECT COUNT(*) FROM answer_log WHERE attempt_id = ? AND item_id = ?`, at.ID, q.ItemID).Scan(&logged).Error; err != nil {
				t.Fatal(err)
			}
			if logged != int64(r.ok) {
				t.Errorf("item %d: %d journal entries for %d acknowledged saves", q.ItemID, logged, r.ok)
			}
		}
	})
}
