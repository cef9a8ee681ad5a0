package training

import (
	"reflect"
	"testing"
	"time"

	"qualify/internal/cadre"
	"qualify/internal/platform/civil"
)

var surveyLevels = []cadre.PostLevel{
	{Code: "county_principal", Name: "县处级正职", Ord: 7},
	{Code: "township_principal", Name: "乡科级正职", Ord: 9},
	{Code: "township_deputy", Name: "乡科级副职", Ord: 10},
}

func d(s string) civil.Date { return civil.MustParse(s) }

func TestSurveyGroupOf(t *testing.T) {
	asOf := d("2026-06-30")
	base := cadre.Cadre{ID: 1, OrgID: 7, OrgName: "青山县城关镇", Gender: cadre.Female, BirthDate: d("1990-01-01"), Education: cadre.Bachelor,
		WorkStartDate: d("2012-07-01"), PostLevel: "township_deputy"}
	with := func(f func(*cadre.Cadre)) cadre.Cadre { c := base; f(&c); return c }
	cases := []struct {
		name string
		by   Dimension
		c    cadre.Cadre
		key  string
	}{
		{"level", ByLevel, base, "township_deputy"},
		{"level none", ByLevel, with(func(c *cadre.Cadre) { c.PostLevel = "" }), "none"},
		{"department", ByDepartment, base, "7"},
		{"gender female", ByGender, base, "female"},
		{"gender unknown", ByGender, with(func(c *cadre.Cadre) { c.Gender = "" }), "unknown"},
		{"age 29 the day before the 30th birthday", ByAgeBand, with(func(c *cadre.Cadre) { c.BirthDate = d("1996-07-01") }), "under_30"},
		{"age 30 on the birthday", ByAgeBand, with(func(c *cadre.Cadre) { c.BirthDate = d("1996-06-30") }), "30_39"},
		{"age 39", ByAgeBand, with(func(c *cadre.Cadre) { c.BirthDate = d("1986-07-01") }), "30_39"},
		{"age 40", ByAgeBand, with(func(c *cadre.Cadre) { c.BirthDate = d("1986-06-30") }), "40_49"},
		{"age 49", ByAgeBand, with(func(c *cadre.Cadre) { c.BirthDate = d("1976-07-01") }), "40_49"},
		{"age 50", ByAgeBand, with(func(c *cadre.Cadre) { c.BirthDate = d("1976-06-30") }), "50_plus"},
		{"age 62", ByAgeBand, with(func(c *cadre.Cadre) { c.BirthDate = d("1964-01-01") }), "50_plus"},
		{"age unknown", ByAgeBand, with(func(c *cadre.Cadre) { c.BirthDate = civil.Date{} }), "unknown"},
		{"education", ByEducation, base, "bachelor"},
		{"education unknown", ByEducation, with(func(c *cadre.Cadre) { c.Education = "" }), "unknown"},
		{"experience 0 (started this year)", ByExperience, with(func(c *cadre.Cadre) { c.WorkStartDate = d("2026-03-01") }), "under_5"},
		{"experience 4", ByExperience, with(func(c *cadre.Cadre) { c.WorkStartDate = d("2021-07-01") }), "under_5"},
		{"experience 5", ByExperience, with(func(c *cadre.Cadre) { c.WorkStartDate = d("2021-06-30") }), "5_9"},
		{"experience 9", ByExperience, with(func(c *cadre.Cadre) { c.WorkStartDate = d("2016-07-01") }), "5_9"},
		{"experience 10", ByExperience, with(func(c *cadre.Cadre) { c.WorkStartDate = d("2016-06-30") }), "10_19"},
		{"experience 13", ByExperience, base, "10_19"},
		{"experience 19", ByExperience, with(func(c *cadre.Cadre) { c.WorkStartDate = d("2006-07-01") }), "10_19"},
		{"experience 20", ByExperience, with(func(c *cadre.Cadre) { c.WorkStartDate = d("2006-06-30") }), "20_plus"},
		{"experience unknown", ByExperience, with(func(c *cadre.Cadre) { c.WorkStartDate = civil.Date{} }), "unknown"},
		{"experience starts after the close", ByExperience, with(func(c *cadre.Cadre) { c.WorkStartDate = d("2026-09-01") }), "unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := GroupOf(tc.by, tc.c, asOf, surveyLevels)
			if g.Key != tc.key || g.Label == "" {
				t.Fatalf("got %+v, want key %s", g, tc.key)
			}
		})
	}
}

func needsSurvey() Survey {
	return Survey{ID: 1, Title: "2027 年度培训需求调查", Questions: []SurveyQuestion{
		{Key: "mode", Kind: SingleChoice, Text: "希望的培训方式", Required: true,
			Options: []SurveyOption{{"A", "脱产"}, {"B", "集中"}, {"C", "网络"}, {"D", "自学"}}},
		{Key: "time", Kind: MultipleChoice, Text: "方便的时段", Options: []SurveyOption{{"A", "工作日晚上"}, {"B", "周六"}, {"C", "周日"}, {"D", "节假日"}}},
		{Key: "useful", Kind: Rating, Text: "去年培训的实用性"},
		{Key: "difficulty", Kind: FreeText, Text: "工作中最大的困难"},
	}}
}

func resp(cadreID int64, mode string, times []string, rating int, text string) SurveyResponse {
	r := SurveyResponse{CadreID: cadreID, Answers: []SurveyAnswer{{QuestionKey: "mode", Choices: []string{mode}}}}
	if len(times) > 0 {
		r.Answers = append(r.Answers, SurveyAnswer{QuestionKey: "time", Choices: times})
	}
	if rating > 0 {
		r.Answers = append(r.Answers, SurveyAnswer{QuestionKey: "useful", Rating: rating})
	}
	if text != "" {
		r.Answers = append(r.Answers, SurveyAnswer{QuestionKey: "difficulty", Text: text})
	}
	return r
}

func person(id int64, gender cadre.Gender, level string) cadre.Cadre {
	return cadre.Cadre{ID: id, OrgID: 100 + id%2, OrgName: map[int64]string{0: "甲镇", 1: "乙镇"}[id%2], Gender: gender, PostLevel: level,
		BirthDate: d("1985-01-01"), WorkStartDate: d("2008-01-01"), Education: cadre.Bachelor}
}

// tallyOf returns the tally of group key in a question result ("all" is the overall tally).
func tallyOf(t *testing.T, q QuestionResult, key string) QuestionTally {
	t.Helper()
	if key == "all" {
		return q.Overall
	}
	for _, g := range q.Groups {
		if g.Group.Key == key {
			return g
		}
	}
	t.Fatalf("no group %s in %+v", key, q.Groups)
	return QuestionTally{}
}

func counts(t QuestionTally) []int {
	out := make([]int, len(t.Options))
	for i, o := range t.Options {
		out[i] = o.Count
	}
	return out
}

func TestSurveyBreakdown(t *testing.T) {
	pop := []cadre.Cadre{
		person(1, cadre.Male, "township_deputy"), person(2, cadre.Female, "township_deputy"), person(3, cadre.Male, "township_principal"),
		person(4, cadre.Female, "township_deputy"), person(5, cadre.Male, "township_deputy"), person(6, cadre.Male, "township_principal"),
	}
	rs := []SurveyResponse{
		resp(1, "B", []string{"A", "B"}, 4, "时间紧"),
		resp(2, "C", []string{"A"}, 5, "基层事务多"),
		resp(3, "B", []string{"B", "C"}, 3, "缺少案例教学"),
		resp(5, "B", nil, 0, ""),
	}
	in := func(by Dimension) BreakdownInput {
		return BreakdownInput{Survey: needsSurvey(), By: by, AsOf: d("2026-12-31"), Population: pop, Responses: rs, Levels: surveyLevels}
	}
	t.Run("overall response rate", func(t *testing.T) {
		r := Breakdown(in(ByGender))
		if r.Overall.Targeted != 6 || r.Overall.Responded != 4 || r.Overall.Rate != 0.6667 {
			t.Fatalf("%+v", r.Overall)
		}
	})
	cases := []struct {
		name   string
		by     Dimension
		group  string
		q      int
		target int
		resp   int
		answ   int
		counts []int
		mean   *float64
	}{
		{"gender male single choice", ByGender, "male", 0, 4, 3, 3, []int{0, 3, 0, 0}, nil},
		{"gender female single choice", ByGender, "female", 0, 2, 1, 1, []int{0, 0, 1, 0}, nil},
		{"overall multiple choice", ByGender, "all", 1, 6, 4, 3, []int{2, 2, 1, 0}, nil},
		{"level deputy multiple choice", ByLevel, "township_deputy", 1, 4, 3, 2, []int{2, 1, 0, 0}, nil},
		{"level principal rating", ByLevel, "township_principal", 2, 2, 1, 1, nil, ptr(3)},
		{"overall rating mean", ByLevel, "all", 2, 6, 4, 3, nil, ptr(4)},
		{"male rating mean over those who rated", ByGender, "male", 2, 4, 3, 2, nil, ptr(3.5)},
		{"department", ByDepartment, "101", 0, 3, 3, 3, []int{0, 3, 0, 0}, nil},
		{"department with one answer", ByDepartment, "100", 0, 3, 1, 1, []int{0, 0, 1, 0}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Breakdown(in(tc.by))
			g := tallyOf(t, r.Questions[tc.q], tc.group)
			if g.Targeted != tc.target || g.Responded != tc.resp || g.Answered != tc.answ {
				t.Fatalf("targeted/responded/answered %d/%d/%d, want %d/%d/%d", g.Targeted, g.Responded, g.Answered, tc.target, tc.resp, tc.answ)
			}
			if tc.counts != nil && !reflect.DeepEqual(counts(g), tc.counts) {
				t.Fatalf("counts %v, want %v", counts(g), tc.counts)
			}
			if (g.MeanRating == nil) != (tc.mean == nil) || (tc.mean != nil && *g.MeanRating != *tc.mean) {
				t.Fatalf("mean %v, want %v", g.MeanRating, tc.mean)
			}
		})
	}
	t.Run("groups in ladder order with rates", func(t *testing.T) {
		r := Breakdown(in(ByLevel))
		var keys []string
		for _, g := range r.Groups {
			keys = append(keys, g.Group.Key)
		}
		if !reflect.DeepEqual(keys, []string{"township_principal", "township_deputy"}) || r.Groups[0].Rate != 0.5 || r.Groups[1].Rate != 0.75 {
			t.Fatalf("%+v", r.Groups)
		}
	})
	t.Run("shares", func(t *testing.T) {
		g := Breakdown(in(ByGender)).Questions[1].Overall
		if g.Options[0].Share != 0.6667 || g.Options[3].Share != 0 {
			t.Fatalf("%+v", g.Options)
		}
	})
	t.Run("free text is anonymous, sorted and small groups hidden", func(t *testing.T) {
		r := Breakdown(in(ByGender))
		texts := r.Questions[3].Texts
		want := []TextAnswer{
			{Group: Group{Key: "male", Label: "男"}, Text: "时间紧"},
			{Group: Group{Key: "male", Label: "男"}, Text: "缺少案例教学"},
			{Group: smallGroup, Text: "基层事务多"},
		}
		if len(texts) != len(want) {
			t.Fatalf("%+v", texts)
		}
		for i := range want {
			if texts[i].Group.Key != want[i].Group.Key || texts[i].Text != want[i].Text {
				t.Fatalf("text %d: %+v, want %+v", i, texts[i], want[i])
			}
		}
	})
	t.Run("respondent outside the population counts in unknown", func(t *testing.T) {
		x := in(ByGender)
		x.Responses = append(append([]SurveyResponse{}, rs...), resp(99, "A", nil, 0, ""))
		r := Breakdown(x)
		if r.Overall.Targeted != 7 || r.Overall.Responded != 5 {
			t.Fatalf("%+v", r.Overall)
		}
		g := tallyOf(t, r.Questions[0], "unknown")
		if g.Targeted != 1 || g.Responded != 1 || g.Rate != 1 || counts(g)[0] != 1 {
			t.Fatalf("%+v", g)
		}
	})
	t.Run("duplicate responses and cadres count once", func(t *testing.T) {
		x := in(ByGender)
		x.Population = append(append([]cadre.Cadre{}, pop...), pop[0])
		x.Responses = append(append([]SurveyResponse{}, rs...), resp(1, "D", nil, 0, ""))
		r := Breakdown(x)
		if r.Overall.Targeted != 6 || r.Overall.Responded != 4 || counts(r.Questions[0].Overall)[3] != 0 {
			t.Fatalf("%+v", r.Overall)
		}
	})
	t.Run("no responses", func(t *testing.T) {
		x := in(ByAgeBand)
		x.Responses = nil
		r := Breakdown(x)
		if r.Overall.Responded != 0 || r.Overall.Rate != 0 || len(r.Groups) != 1 || r.Groups[0].Group.Key != "40_49" {
			t.Fatalf("%+v", r)
		}
		if q := r.Questions[2].Overall; q.MeanRating != nil || q.Answered != 0 {
			t.Fatalf("%+v", q)
		}
	})
	t.Run("empty population", func(t *testing.T) {
		r := Breakdown(BreakdownInput{Survey: needsSurvey(), By: ByLevel})
		if r.Overall.Targeted != 0 || r.Overall.Rate != 0 || len(r.Groups) != 0 || len(r.Questions) != 4 {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("pure", func(t *testing.T) {
		if a, b := Breakdown(in(ByExperience)), Breakdown(in(ByExperience)); !reflect.DeepEqual(a, b) {
			t.Fatal("two runs differ")
		}
	})
}

func ptr(f float64) *float64 { return &f }

func TestSurveyCheckAnswers(t *testing.T) {
	s := needsSurvey()
	cases := []struct {
		name    string
		answers []SurveyAnswer
		fields  []string
	}{
		{"complete", []SurveyAnswer{{QuestionKey: "mode", Choices: []string{"A"}}, {QuestionKey: "time", Choices: []string{"D", "A", "A"}},
			{QuestionKey: "useful", Rating: 5}, {QuestionKey: "difficulty", Text: " 人手少 "}}, nil},
		{"only the required", []SurveyAnswer{{QuestionKey: "mode", Choices: []string{"B"}}}, nil},
		{"required missing", []SurveyAnswer{{QuestionKey: "useful", Rating: 3}}, []string{"answers.mode"}},
		{"single with two", []SurveyAnswer{{QuestionKey: "mode", Choices: []string{"A", "B"}}}, []string{"answers.mode"}},
		{"unknown option", []SurveyAnswer{{QuestionKey: "mode", Choices: []string{"Z"}}}, []string{"answers.mode"}},
		{"unknown question", []SurveyAnswer{{QuestionKey: "mode", Choices: []string{"A"}}, {QuestionKey: "nope", Text: "x"}}, []string{"answers.nope"}},
		{"rating out of range", []SurveyAnswer{{QuestionKey: "mode", Choices: []string{"A"}}, {QuestionKey: "useful", Rating: 6}}, []string{"answers.useful"}},
		{"rating negative", []SurveyAnswer{{QuestionKey: "mode", Choices: []string{"A"}}, {QuestionKey: "useful", Rating: -1}}, []string{"answers.useful"}},
		{"text with choices", []SurveyAnswer{{QuestionKey: "mode", Choices: []string{"A"}}, {QuestionKey: "difficulty", Text: "x", Choices: []string{"A"}}}, []string{"answers.difficulty"}},
		{"same question twice", []SurveyAnswer{{QuestionKey: "mode", Choices: []string{"A"}}, {QuestionKey: "mode", Choices: []string{"B"}}}, []string{"answers.mode"}},
		{"every problem at once", []SurveyAnswer{{QuestionKey: "useful", Rating: 9}, {QuestionKey: "time", Choices: []string{"X"}}},
			[]string{"answers.mode", "answers.time", "answers.useful"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, fe := CheckAnswers(s, tc.answers)
			var got []string
			for _, f := range fe {
				got = append(got, f.Field)
			}
			if !reflect.DeepEqual(got, tc.fields) {
				t.Fatalf("fields %v, want %v", got, tc.fields)
			}
		})
	}
	t.Run("normalized", func(t *testing.T) {
		out, _ := CheckAnswers(s, cases[0].answers)
		if !reflect.DeepEqual(out[1].Choices, []string{"A", "D"}) || out[3].Text != "人手少" || len(out) != 4 {
			t.Fatalf("%+v", out)
		}
	})
}

func TestNormalizeSurvey(t *testing.T) {
	levels := map[string]bool{"township_deputy": true, "township_principal": true}
	open := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	valid := func() Survey {
		return Survey{Title: " 需求调查 ", OpensAt: open, ClosesAt: open.AddDate(0, 1, 0),
			Target: SurveyTarget{PostLevels: []string{"township_deputy", "township_deputy"}},
			Questions: []SurveyQuestion{{Kind: SingleChoice, Text: "方式", Options: []SurveyOption{{Text: "脱产"}, {Text: "网络"}}},
				{Kind: FreeText, Text: "困难"}}}
	}
	cases := []struct {
		name   string
		edit   func(*Survey)
		fields []string
	}{
		{"valid", func(*Survey) {}, nil},
		{"no title", func(s *Survey) { s.Title = "  " }, []string{"title"}},
		{"closes before it opens", func(s *Survey) { s.ClosesAt = s.OpensAt }, []string{"closesAt"}},
		{"unknown level", func(s *Survey) { s.Target.PostLevels = []string{"emperor"} }, []string{"target.postLevels"}},
		{"no questions", func(s *Survey) { s.Questions = nil }, []string{"questions"}},
		{"one option", func(s *Survey) { s.Questions[0].Options = s.Questions[0].Options[:1] }, []string{"questions[0].options"}},
		{"rating with options", func(s *Survey) { s.Questions[1].Kind, s.Questions[1].Options = Rating, []SurveyOption{{Text: "x"}} },
			[]string{"questions[1].options"}},
		{"unknown kind", func(s *Survey) { s.Questions[1].Kind = "essay" }, []string{"questions[1].kind"}},
		{"duplicate keys", func(s *Survey) { s.Questions[0].Key, s.Questions[1].Key = "k", "k" }, []string{"questions[1].key"}},
		{"duplicate option keys", func(s *Survey) { s.Questions[0].Options[1].Key = "A" }, []string{"questions[0].options[1]"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := valid()
			tc.edit(&s)
			_, fe := NormalizeSurvey(s, levels)
			var got []string
			for _, f := range fe {
				got = append(got, f.Field)
			}
			if !reflect.DeepEqual(got, tc.fields) {
				t.Fatalf("fields %v, want %v", got, tc.fields)
			}
		})
	}
	t.Run("keys assigned and levels deduplicated", func(t *testing.T) {
		s, _ := NormalizeSurvey(valid(), levels)
		if s.Title != "需求调查" || s.Questions[0].Key != "q1" || s.Questions[1].Key != "q2" || s.Questions[0].Options[1].Key != "B" ||
			!reflect.DeepEqual(s.Target.PostLevels, []string{"township_deputy"}) {
			t.Fatalf("%+v", s)
		}
	})
}

func TestSurveyTargetAndWindow(t *testing.T) {
	org := int64(4)
	c := cadre.Cadre{OrgPath: "/1/4/9/", PostLevel: "township_deputy"}
	cases := []struct {
		name string
		t    SurveyTarget
		want bool
	}{
		{"everyone", SurveyTarget{}, true},
		{"subtree", SurveyTarget{OrgID: &org, OrgPath: "/1/4/"}, true},
		{"other subtree", SurveyTarget{OrgID: &org, OrgPath: "/1/5/"}, false},
		{"level", SurveyTarget{PostLevels: []string{"township_principal", "township_deputy"}}, true},
		{"other level", SurveyTarget{PostLevels: []string{"county_deputy"}}, false},
		{"subtree and level", SurveyTarget{OrgID: &org, OrgPath: "/1/4/", PostLevels: []string{"county_deputy"}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.t.Includes(c); got != tc.want {
				t.Fatalf("got %v", got)
			}
		})
	}
	open := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	s := Survey{Status: SurveyPublished, OpensAt: open, ClosesAt: open.Add(48 * time.Hour)}
	for _, tc := range []struct {
		name string
		s    Survey
		at   time.Time
		want bool
	}{
		{"before", s, open.Add(-time.Second), false},
		{"at open", s, open, true},
		{"at close", s, s.ClosesAt, false},
		{"draft", Survey{Status: SurveyDraft, OpensAt: open, ClosesAt: s.ClosesAt}, open, false},
		{"closed by hand", Survey{Status: SurveyClosed, OpensAt: open, ClosesAt: s.ClosesAt}, open, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.OpenAt(tc.at); got != tc.want {
				t.Fatalf("got %v", got)
			}
		})
	}
	early := open.Add(time.Hour)
	if got := (Survey{ClosesAt: s.ClosesAt, ClosedAt: &early}).EndsAt(); !got.Equal(early) {
		t.Fatalf("EndsAt %v", got)
	}
}
