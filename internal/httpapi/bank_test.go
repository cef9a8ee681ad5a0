package httpapi_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"qualify/internal/apitest"
	"qualify/internal/identity"
)

type questionOut struct {
	ID               int64
	Ref              string
	Version          int
	PublishedVersion int
	Status           string
	Stem             string
	Answer           any
	Type             string
}

func newSingle(stem string) map[string]any {
	return map[string]any{"subject": "party_affairs", "type": "single", "stem": stem,
		"options": []map[string]string{{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}, {"key": "C", "text": "丙"}, {"key": "D", "text": "丁"}},
		"answer":  "B", "points": 1, "explanation": "解析", "knowledgePoints": []string{"党章/总纲"}, "competencies": []string{"nine.learning"},
		"difficulty": 2, "basis": []map[string]string{{"document": "中国共产党章程"}}}
}

func TestQuestionLifecycleAndVersions(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		author := e.As("examadmin", e.Root.ID, identity.RoleExamadmin)
		reviewer := e.As("examadmin2", e.Root.ID, identity.RoleExamadmin)
		cadre := e.As("cadre1", e.Root.ID, identity.RoleCadre)

		var q questionOut
		e.Do("POST", "/api/v1/questions", author, newSingle("党的最高领导机关是（ ）。")).Status(201).JSON(&q)
		if q.Status != "draft" || q.Version != 1 || q.Answer != "B" {
			t.Fatalf("created %+v", q)
		}
		e.Do("GET", fmt.Sprintf("/api/v1/questions/%d", q.ID), cadre, nil).Problem(403, "forbidden")
		e.Do("POST", fmt.Sprintf("/api/v1/questions/%d/approve", q.ID), reviewer, nil).Problem(409, "invalid_transition")
		e.Do("POST", fmt.Sprintf("/api/v1/questions/%d/submit", q.ID), author, nil).Status(200).JSON(&q)
		e.Do("POST", fmt.Sprintf("/api/v1/questions/%d/approve", q.ID), author, nil).Problem(403, "reviewer_is_author")
		e.Do("POST", fmt.Sprintf("/api/v1/questions/%d/approve", q.ID), reviewer, map[string]string{"comment": "准确"}).Status(200).JSON(&q)
		if q.Status != "published" || q.PublishedVersion != 1 {
			t.Fatalf("approved %+v", q)
		}
		// Editing a published item makes version 2; exams keep drawing version 1 meanwhile.
		edited := newSingle("党的最高领导机关是（ ）。（修订）")
		edited["answer"] = "C"
		e.Do("PUT", fmt.Sprintf("/api/v1/questions/%d", q.ID), reviewer, edited).Status(200).JSON(&q)
		if q.Version != 2 || q.PublishedVersion != 1 || q.Status != "draft" || q.Answer != "C" {
			t.Fatalf("edited %+v", q)
		}
		var v1 questionOut
		e.Do("GET", fmt.Sprintf("/api/v1/questions/%d/versions/1", q.ID), author, nil).Status(200).JSON(&v1)
		if v1.Answer != "B" || strings.Contains(v1.Stem, "修订") {
			t.Fatalf("version 1 changed: %+v", v1)
		}
		var versions []questionOut
		e.Do("GET", fmt.Sprintf("/api/v1/questions/%d/versions", q.ID), author, nil).Status(200).JSON(&versions)
		if len(versions) != 2 {
			t.Fatalf("versions %+v", versions)
		}
		var pool struct{ Items []questionOut }
		e.Do("GET", "/api/v1/questions?published=true&subject=party_affairs", author, nil).Status(200).JSON(&pool)
		if len(pool.Items) != 1 || pool.Items[0].Version != 1 || pool.Items[0].Answer != "B" {
			t.Fatalf("pool while revision pending %+v", pool.Items)
		}
		// The revision's reviewer must differ from its author (now examadmin2).
		e.Do("POST", fmt.Sprintf("/api/v1/questions/%d/submit", q.ID), reviewer, nil).Status(200)
		e.Do("POST", fmt.Sprintf("/api/v1/questions/%d/approve", q.ID), reviewer, nil).Problem(403, "reviewer_is_author")
		e.Do("POST", fmt.Sprintf("/api/v1/questions/%d/approve", q.ID), author, nil).Status(200).JSON(&q)
		if q.PublishedVersion != 2 {
			t.Fatalf("revision not published: %+v", q)
		}
		e.Do("POST", fmt.Sprintf("/api/v1/questions/%d/reject", q.ID), author, nil).Problem(400, "validation_failed")
		e.Do("POST", fmt.Sprintf("/api/v1/questions/%d/retire", q.ID), author, map[string]string{"comment": "政策调整"}).Status(200).JSON(&q)
		e.Do("GET", "/api/v1/questions?published=true&subject=party_affairs", author, nil).Status(200).JSON(&pool)
		if len(pool.Items) != 0 {
			t.Fatal("retired item still in the pool")
		}
		// Every change is audited.
		aud := e.As("auditor", e.Root.ID, identity.RoleAuditor)
		var page struct{ Total int }
		e.Do("GET", "/api/v1/audit/events?targetType=item", aud, nil).Status(200).JSON(&page)
		if page.Total != 7 { // create, submit, approve, update, submit, approve, retire
			t.Fatalf("item audit entries = %d", page.Total)
		}
		// A malformed answer for the type is refused with the field named.
		bad := newSingle("题")
		bad["answer"] = []string{"A"}
		e.Do("POST", "/api/v1/questions", author, bad).Problem(400, "invalid_item")
	})
}

func TestSearchFindsTwoCharacterTerm(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tok := e.As("examadmin", e.Root.ID, identity.RoleExamadmin)
		for _, stem := range []string{"根据党章规定，党员享有的权利是（ ）。", "党的纪律处分条例规定的处分种类有几种？", "下列关于《中国共产党章程》修改的说法正确的是（ ）。"} {
			e.Do("POST", "/api/v1/questions", tok, newSingle(stem)).Status(201)
		}
		cases := map[string]int{"党章": 2, "处分": 1, "章程": 1, "党": 3, "党员享有": 1, "规定": 2, "不存在的词": 0}
		for q, want := range cases {
			var page struct {
				Total int
				Items []questionOut
			}
			e.Do("GET", "/api/v1/questions?q="+q, tok, nil).Status(200).JSON(&page)
			if page.Total != want || len(page.Items) != want {
				t.Errorf("q=%s: %d results, want %d", q, page.Total, want)
			}
		}
	})
}

const validYAML = `subject: party_affairs
items:
  - id: pa-imp-001
    type: true_false
    stem: 预备党员的预备期为一年。
    answer: true
    points: 1
    explanation: 党章第七条。
    basis: [{document: 中国共产党章程, article: 第七条}]
    knowledge_points: [党员/预备期]
    competencies: [nine.learning]
    difficulty: 1
  - id: pa-imp-002
    type: single
    stem: 党的基层组织是（ ）。
    options: {A: 党支部, B: 党小组, C: 党员大会, D: 党委会}
    answer: A
    points: 1
    explanation: 党支部是党的基础组织。
    basis: []
    knowledge_points: [基层组织]
    competencies: [seven.political]
    difficulty: 2
`

func TestImportAllOrNothing(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tok := e.As("examadmin", e.Root.ID, identity.RoleExamadmin)
		bad := strings.Replace(validYAML, "answer: A", "answer: E", 1)
		bad = strings.Replace(bad, "difficulty: 1", "difficulty: 9", 1)
		var res struct {
			Imported int
			Errors   []struct{ Location, Message string }
		}
		e.Upload("/api/v1/questions/import", tok, "file", "bank.yaml", []byte(bad)).Problem(422, "import_invalid").JSON(&res)
		if res.Imported != 0 || len(res.Errors) != 2 {
			t.Fatalf("bad import: %+v", res)
		}
		for _, er := range res.Errors {
			if !strings.HasPrefix(er.Location, "bank.yaml:") {
				t.Errorf("error without file:line: %+v", er)
			}
		}
		var page struct{ Total int }
		e.Do("GET", "/api/v1/questions", tok, nil).Status(200).JSON(&page)
		if page.Total != 0 {
			t.Fatalf("a bad file imported %d items", page.Total)
		}
		e.Upload("/api/v1/questions/import", tok, "file", "bank.yaml", []byte(validYAML)).Status(200).JSON(&res)
		if res.Imported != 2 {
			t.Fatalf("good import: %+v", res)
		}
		var again struct{ Imported, Unchanged int }
		e.Upload("/api/v1/questions/import", tok, "file", "bank.yaml", []byte(validYAML)).Status(200).JSON(&again)
		if again.Imported != 0 || again.Unchanged != 2 {
			t.Fatalf("re-import: %+v", again)
		}
		// Export then import into a fresh bank gives the same items.
		r := e.Do("GET", "/api/v1/questions/export?format=yaml&subject=party_affairs", tok, nil).Status(200)
		other := apitest.New(t, e.DB.Dialect)
		tok2 := other.As("examadmin", other.Root.ID, identity.RoleExamadmin)
		other.Upload("/api/v1/questions/import", tok2, "file", "export.yaml", r.Body).Status(200).JSON(&res)
		if res.Imported != 2 {
			t.Fatalf("round trip imported %d: %s", res.Imported, r.Body)
		}
	})
}

func TestRepositoryBankImports(t *testing.T) {
	if testing.Short() {
		t.Skip("imports the whole bank")
	}
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tok := e.As("examadmin", e.Root.ID, identity.RoleExamadmin)
		entries, err := os.ReadDir("../../question-bank/party_affairs")
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, f := range entries {
			data, _ := os.ReadFile("../../question-bank/party_affairs/" + f.Name())
			var res struct{ Imported int }
			e.Upload("/api/v1/questions/import", tok, "file", f.Name(), data).Status(200).JSON(&res)
			total += res.Imported
		}
		var page struct{ Total int }
		e.Do("GET", "/api/v1/questions?subject=party_affairs&q=党章", tok, nil).Status(200).JSON(&page)
		if total < 50 || page.Total == 0 {
			t.Fatalf("imported %d, 党章 found in %d", total, page.Total)
		}
	})
}

func TestCompetencyFrameworksAreConfigurable(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		tok := e.As("examadmin", e.Root.ID, identity.RoleExamadmin)
		q := newSingle("关于本省干部能力框架的题目（ ）。")
		q["competencies"] = []string{"local.grassroots_governance"}
		e.Do("POST", "/api/v1/questions", tok, q).Problem(400, "invalid_item")
		var fws []map[string]any
		e.Do("GET", "/api/v1/competencies", tok, nil).Status(200).JSON(&fws)
		if len(fws) != 4 {
			t.Fatalf("default frameworks %d", len(fws))
		}
		fws = append(fws, map[string]any{"code": "local", "name": "本省干部能力框架", "items": []map[string]string{{"code": "grassroots_governance", "name": "基层治理能力"}}})
		e.Do("PUT", "/api/v1/competencies", tok, map[string]any{"frameworks": fws}).Status(200)
		e.App.Bank.SetClock(func() time.Time { return time.Now().Add(10 * time.Second) })
		e.Do("POST", "/api/v1/questions", tok, q).Status(201)
		bad := []map[string]any{{"code": "Bad Code", "name": "", "items": []map[string]string{}}}
		e.Do("PUT", "/api/v1/competencies", tok, map[string]any{"frameworks": bad}).Problem(400, "validation_failed")
	})
}
