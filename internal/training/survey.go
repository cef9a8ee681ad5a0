package training

// The training needs survey (培训需求调查): a training school's scheduler, or a personnel office,
// asks the cadres of an org subtree and/or of some post levels what training they want (topics,
// time slots, modes, difficulties), then reads the answers broken down by level, department,
// gender, age band, education and years of work to plan the next term.
//
// Rules kept here:
//   - A survey is a draft until published, and takes answers while published and now is in
//     [OpensAt, ClosesAt). Closing ends it early; a closed survey never reopens.
//   - A cadre answers once; answering again before the close replaces the earlier answer (a
//     questionnaire is not an exam: a cadre who misread a question may correct it). The first
//     answer is 201, a replacement 200.
//   - Results are anonymous: counts, shares and mean ratings per group; free text is listed with
//     its group only, never with a name or a cadre ID, sorted by text so the order reveals nothing,
//     and without its group when that group has fewer than MinGroupForText respondents.
//   - Ages and years of work are taken on the survey's close date (the earlier of ClosesAt and
//     the day it was closed by hand).

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"qualify/internal/cadre"
	"qualify/internal/identity"
	"qualify/internal/org"
	"qualify/internal/platform/apperr"
	"qualify/internal/platform/civil"
	"qualify/internal/platform/db"
)

// SurveyStatus is where a survey stands.
type SurveyStatus string

// The survey statuses.
const (
	SurveyDraft     SurveyStatus = "draft"     // 草稿
	SurveyPublished SurveyStatus = "published" // 已发布
	SurveyClosed    SurveyStatus = "closed"    // 已结束
)

// QuestionKind is the kind of a survey question.
type QuestionKind string

// The question kinds.
const (
	SingleChoice   QuestionKind = "single"   // 单选
	MultipleChoice QuestionKind = "multiple" // 多选
	Rating         QuestionKind = "rating"   // 评分 1-5
	FreeText       QuestionKind = "text"     // 文字
)

// QuestionKindNames are the Chinese names of the question kinds.
var QuestionKindNames = map[QuestionKind]string{SingleChoice: "单选", MultipleChoice: "多选", Rating: "评分（1-5）", FreeText: "文字"}

// Limits of a survey.
const (
	MaxSurveyQuestions = 50
	MaxSurveyOptions   = 20
	MaxSurveyText      = 2000 // characters of a free-text answer
	MinGroupForText    = 3    // respondents a group needs before its free text shows its group
)

// SurveyOption is one choice of a choice question.
type SurveyOption struct {
	Key  string // "A", "B" ... (assigned when empty)
	Text string
}

// SurveyQuestion is one question of a survey.
type SurveyQuestion struct {
	Key      string // "q1", "q2" ... (assigned when empty), unique in the survey
	Kind     QuestionKind
	Text     string
	Options  []SurveyOption // choice questions only
	Required bool
}

// SurveyTarget is who a survey asks: the cadres of an org subtree (every org when OrgID is nil)
// holding one of PostLevels (any level, or none, when PostLevels is empty).
type SurveyTarget struct {
	OrgID      *int64
	OrgPath    string // filled on reads
	OrgName    string // filled on reads
	PostLevels []string
}

// Includes reports whether the target covers cadre c.
func (t SurveyTarget) Includes(c cadre.Cadre) bool {
	if t.OrgID != nil && !org.Contains(t.OrgPath, c.OrgPath) {
		return false
	}
	if len(t.PostLevels) == 0 {
		return true
	}
	for _, l := range t.PostLevels {
		if l == c.PostLevel {
			return true
		}
	}
	return false
}

// Survey is a training needs survey (培训需求调查) owned by an org: a training school or a
// personnel office.
type Survey struct {
	ID           int64
	OwnerOrgID   int64
	OwnerOrgName string // filled on reads
	OwnerOrgPath string // filled on reads
	Title        string
	Intro        string
	OpensAt      time.Time
	ClosesAt     time.Time
	Target       SurveyTarget
	Questions    []SurveyQuestion
	Status       SurveyStatus
	CreatedBy    string
	CreatedAt    time.Time
	PublishedAt  *time.Time
	ClosedAt     *time.Time
}

// OpenAt reports whether the survey takes answers at t.
func (s Survey) OpenAt(t time.Time) bool {
	return s.Status == SurveyPublished && !t.Before(s.OpensAt) && t.Before(s.ClosesAt)
}

// EndsAt is when the survey stops (or stopped) taking answers: ClosesAt, or the moment it was
// closed by hand when that came first.
func (s Survey) EndsAt() time.Time {
	if s.ClosedAt != nil && s.ClosedAt.Before(s.ClosesAt) {
		return *s.ClosedAt
	}
	return s.ClosesAt
}

// Question returns the question with key k.
func (s Survey) Question(k string) (SurveyQuestion, bool) {
	for _, q := range s.Questions {
		if q.Key == k {
			return q, true
		}
	}
	return SurveyQuestion{}, false
}

// SurveyAnswer is the answer to one question: Choices for choice questions, Rating (1-5) for a
// rating, Text for free text.
type SurveyAnswer struct {
	QuestionKey string
	Choices     []string
	Rating      int
	Text        string
}

// SurveyResponse is one cadre's answers to a survey (问卷答复). The cadre is kept to refuse a
// second response and to group answers; results never show it.
type SurveyResponse struct {
	ID          int64
	SurveyID    int64
	CadreID     int64
	Answers     []SurveyAnswer
	SubmittedAt time.Time // first answer
	UpdatedAt   time.Time // last replacement (SubmittedAt when never replaced)
}

// SurveyFilter selects the surveys an owner may list: those of OwnerOrgID, or, when it is 0,
// those whose owner lies under OwnerPathPrefix.
type SurveyFilter struct {
	OwnerOrgID      int64
	OwnerPathPrefix string
	Page, PageSize  int
}

// SurveyStore is what the survey use cases need from persistence beyond Store.
type SurveyStore interface {
	// CreateSurvey inserts s and sets its ID.
	CreateSurvey(ctx context.Context, s *Survey) error
	// SurveyByID returns the survey with its owner's and target's org names and paths, or nil.
	SurveyByID(ctx context.Context, id int64) (*Survey, error)
	// Surveys returns a page of the surveys f selects, newest first, and their total.
	Surveys(ctx context.Context, f SurveyFilter) ([]Survey, int64, error)
	// PublishedSurveysOpenAt returns the published surveys taking answers at t.
	PublishedSurveysOpenAt(ctx context.Context, t time.Time) ([]Survey, error)
	// SetSurveyStatus changes a survey's status and its published/closed instants.
	SetSurveyStatus(ctx context.Context, s Survey) error
	// SurveyResponseOf returns the cadre's response to the survey, or nil.
	SurveyResponseOf(ctx context.Context, surveyID, cadreID int64) (*SurveyResponse, error)
	// PutSurveyResponse inserts r (setting its ID) or, when r.ID is set, replaces its answers.
	PutSurveyResponse(ctx context.Context, r *SurveyResponse) error
	// SurveyResponses returns every response to a survey by ID.
	SurveyResponses(ctx context.Context, surveyID int64) ([]SurveyResponse, error)
	// SurveyPopulation returns the cadres a target covers, with their orgs' names and paths.
	SurveyPopulation(ctx context.Context, t SurveyTarget) ([]cadre.Cadre, error)
}

// ---- pure rules ----

// NormalizeSurvey trims a new survey, assigns missing question and option keys, and returns
// every problem found (field paths as the API names them). levels are the known post levels.
func NormalizeSurvey(s Survey, levels map[string]bool) (Survey, []apperr.FieldError) {
	var fe []apperr.FieldError
	add := func(field, msg string) { fe = append(fe, apperr.FieldError{Field: field, Message: msg}) }
	s.Title, s.Intro = strings.TrimSpace(s.Title), strings.TrimSpace(s.Intro)
	if s.Title == "" || utf8.RuneCountInString(s.Title) > 200 {
		add("title", "标题必填，不超过 200 字")
	}
	if utf8.RuneCountInString(s.Intro) > 5000 {
		add("intro", "说明不超过 5000 字")
	}
	if s.OpensAt.IsZero() || s.ClosesAt.IsZero() || !s.ClosesAt.After(s.OpensAt) {
		add("closesAt", "截止时间须晚于开始时间")
	}
	seenLevel := map[string]bool{}
	var lv []string
	for _, l := range s.Target.PostLevels {
		if !levels[l] {
			add("target.postLevels", "未知的职务层次："+l)
			continue
		}
		if !seenLevel[l] {
			seenLevel[l] = true
			lv = append(lv, l)
		}
	}
	s.Target.PostLevels = lv
	if len(s.Questions) == 0 || len(s.Questions) > MaxSurveyQuestions {
		add("questions", fmt.Sprintf("问题数量应在 1 到 %d 之间", MaxSurveyQuestions))
	}
	qs := make([]SurveyQuestion, len(s.Questions))
	seenKey := map[string]bool{}
	for i, q := range s.Questions {
		at := fmt.Sprintf("questions[%d]", i)
		q.Key, q.Text = strings.TrimSpace(q.Key), strings.TrimSpace(q.Text)
		if q.Key == "" {
			q.Key = "q" + strconv.Itoa(i+1)
		}
		if seenKey[q.Key] {
			add(at+".key", "问题编号重复")
		}
		seenKey[q.Key] = true
		if q.Text == "" || utf8.RuneCountInString(q.Text) > 500 {
			add(at+".text", "题目必填，不超过 500 字")
		}
		switch q.Kind {
		case SingleChoice, MultipleChoice:
			if len(q.Options) < 2 || len(q.Options) > MaxSurveyOptions {
				add(at+".options", fmt.Sprintf("选项数量应在 2 到 %d 之间", MaxSurveyOptions))
			}
			opts := make([]SurveyOption, len(q.Options))
			seenOpt := map[string]bool{}
			for j, o := range q.Options {
				o.Key, o.Text = strings.TrimSpace(o.Key), strings.TrimSpace(o.Text)
				if o.Key == "" {
					o.Key = optionKey(j)
				}
				if o.Text == "" || seenOpt[o.Key] {
					add(fmt.Sprintf("%s.options[%d]", at, j), "选项内容必填，编号不能重复")
				}
				seenOpt[o.Key] = true
				opts[j] = o
			}
			q.Options = opts
		case Rating, FreeText:
			if len(q.Options) > 0 {
				add(at+".options", "评分题和文字题没有选项")
			}
			q.Options = nil
		default:
			add(at+".kind", "题型应为 single、multiple、rating 或 text")
		}
		qs[i] = q
	}
	s.Questions = qs
	return s, fe
}

// optionKey returns "A".."Z", then "O27", "O28" ...
func optionKey(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return "O" + strconv.Itoa(i+1)
}

// CheckAnswers validates answers against the survey's questions and returns them in question
// order, choices deduplicated and sorted as the options are; every problem is reported at once
// (fields "answers.<questionKey>"). Unanswered optional questions are left out.
func CheckAnswers(s Survey, answers []SurveyAnswer) ([]SurveyAnswer, []apperr.FieldError) {
	var fe []apperr.FieldError
	add := func(k, msg string) { fe = append(fe, apperr.FieldError{Field: "answers." + k, Message: msg}) }
	given := map[string]SurveyAnswer{}
	for _, a := range answers {
		if _, ok := s.Question(a.QuestionKey); !ok {
			add(a.QuestionKey, "问卷中没有这个问题")
			continue
		}
		if _, dup := given[a.QuestionKey]; dup {
			add(a.QuestionKey, "同一问题只能回答一次")
			continue
		}
		given[a.QuestionKey] = a
	}
	var out []SurveyAnswer
	for _, q := range s.Questions {
		a, ok := given[q.Key]
		empty := !ok || (len(a.Choices) == 0 && a.Rating == 0 && strings.TrimSpace(a.Text) == "")
		if empty {
			if q.Required {
				add(q.Key, "此题必答")
			}
			continue
		}
		clean := SurveyAnswer{QuestionKey: q.Key}
		switch q.Kind {
		case SingleChoice, MultipleChoice:
			chosen := map[string]bool{}
			for _, c := range a.Choices {
				chosen[c] = true
			}
			for _, o := range q.Options {
				if chosen[o.Key] {
					clean.Choices = append(clean.Choices, o.Key)
					delete(chosen, o.Key)
				}
			}
			switch {
			case len(chosen) > 0:
				add(q.Key, "选项不存在")
			case a.Rating != 0 || a.Text != "":
				add(q.Key, "选择题只填选项")
			case q.Kind == SingleChoice && len(clean.Choices) != 1:
				add(q.Key, "单选题只能选一项")
			}
		case Rating:
			if a.Rating < 1 || a.Rating > 5 || len(a.Choices) > 0 || a.Text != "" {
				add(q.Key, "评分应为 1 到 5 的整数")
			}
			clean.Rating = a.Rating
		case FreeText:
			clean.Text = strings.TrimSpace(a.Text)
			if len(a.Choices) > 0 || a.Rating != 0 || utf8.RuneCountInString(clean.Text) > MaxSurveyText {
				add(q.Key, fmt.Sprintf("文字回答不超过 %d 字", MaxSurveyText))
			}
		}
		out = append(out, clean)
	}
	return out, fe
}

// Dimension is what survey results are broken down by.
type Dimension string

// The breakdown dimensions.
const (
	ByLevel      Dimension = "level"      // 职务层次
	ByDepartment Dimension = "department" // 所在单位
	ByGender     Dimension = "gender"     // 性别
	ByAgeBand    Dimension = "age_band"   // 年龄段
	ByEducation  Dimension = "education"  // 学历
	ByExperience Dimension = "experience" // 工作年限
)

// DimensionNames are the Chinese names of the dimensions.
var DimensionNames = map[Dimension]string{ByLevel: "职务层次", ByDepartment: "所在单位", ByGender: "性别", ByAgeBand: "年龄段",
	ByEducation: "学历", ByExperience: "工作年限"}

// ParseDimension reads a dimension; "" is ByLevel. Errors: invalid_dimension.
func ParseDimension(s string) (Dimension, error) {
	if s == "" {
		return ByLevel, nil
	}
	if _, ok := DimensionNames[Dimension(s)]; !ok {
		return "", apperr.InvalidFields("invalid_dimension", "分组维度无效",
			apperr.FieldError{Field: "by", Message: "应为 level、department、gender、age_band、education 或 experience"})
	}
	return Dimension(s), nil
}

// Group is a bucket of a breakdown: a stable key, a Chinese label, and its place in the order.
type Group struct {
	Key   string
	Label string
	Order int
}

// unknownGroup holds cadres whose attribute is not recorded.
var unknownGroup = Group{Key: "unknown", Label: "未填写", Order: 1 << 30}

// band returns the group of n among ascending lower bounds (n >= bounds[0] assumed).
func band(n int, bounds []int, keys, labels []string) Group {
	i := sort.Search(len(bounds), func(i int) bool { return bounds[i] > n }) - 1
	if i < 0 {
		i = 0
	}
	return Group{Key: keys[i], Label: labels[i], Order: i}
}

// Age and experience bands.
var (
	ageBounds       = []int{0, 30, 40, 50}
	ageKeys         = []string{"under_30", "30_39", "40_49", "50_plus"}
	ageLabels       = []string{"30岁以下", "30-39岁", "40-49岁", "50岁及以上"}
	experienceBound = []int{0, 5, 10, 20}
	experienceKeys  = []string{"under_5", "5_9", "10_19", "20_plus"}
	experienceLabel = []string{"不满5年", "5-9年", "10-19年", "20年及以上"}
)

// GroupOf returns the group of cadre c in dimension by, ages and years of work taken on asOf.
// levels is the post-level ladder (names and order); a cadre without a post level falls in
// "none" (无领导职务), an unrecorded attribute in "unknown" (未填写).
func GroupOf(by Dimension, c cadre.Cadre, asOf civil.Date, levels []cadre.PostLevel) Group {
	switch by {
	case ByLevel:
		if c.PostLevel == "" {
			return Group{Key: "none", Label: "无领导职务", Order: 1 << 20}
		}
		for _, l := range levels {
			if l.Code == c.PostLevel {
				return Group{Key: l.Code, Label: l.Name, Order: l.Ord}
			}
		}
		return Group{Key: c.PostLevel, Label: c.PostLevel, Order: 1 << 19}
	case ByDepartment:
		if c.OrgID == 0 {
			return unknownGroup
		}
		return Group{Key: strconv.FormatInt(c.OrgID, 10), Label: c.OrgName}
	case ByGender:
		switch c.Gender {
		case cadre.Male:
			return Group{Key: string(cadre.Male), Label: "男", Order: 0}
		case cadre.Female:
			return Group{Key: string(cadre.Female), Label: "女", Order: 1}
		}
		return unknownGroup
	case ByAgeBand:
		if c.BirthDate.IsZero() || c.BirthDate.After(asOf) {
			return unknownGroup
		}
		return band(c.BirthDate.FullYearsUntil(asOf), ageBounds, ageKeys, ageLabels)
	case ByEducation:
		for i, e := range cadre.Educations {
			if e == c.Education {
				return Group{Key: string(e), Label: cadre.EducationNames[e], Order: i}
			}
		}
		return unknownGroup
	case ByExperience:
		if c.WorkStartDate.IsZero() || c.WorkStartDate.After(asOf) {
			return unknownGroup
		}
		return band(cadre.YearsOfWork(c.WorkStartDate, nil, asOf), experienceBound, experienceKeys, experienceLabel)
	}
	return unknownGroup
}

// OptionCount is how often one option was chosen.
type OptionCount struct {
	Key   string
	Text  string
	Count int
	Share float64 // of the group's answers to the question (0..1)
}

// QuestionTally is one question's answers within one group (or overall).
type QuestionTally struct {
	Group      Group
	Targeted   int     // cadres of the group the survey asks (and respondents no longer targeted)
	Responded  int     // responses from the group
	Answered   int     // responses from the group answering this question
	Rate       float64 // Responded / Targeted (0 when Targeted is 0)
	Options    []OptionCount
	Ratings    [5]int   // counts of 1..5
	MeanRating *float64 // nil without ratings
}

// TextAnswer is one free-text answer with its group, never its author.
type TextAnswer struct {
	Group Group // the "small_groups" group when the author's group has under MinGroupForText respondents
	Text  string
}

// QuestionResult is the breakdown of one question.
type QuestionResult struct {
	Question SurveyQuestion
	Overall  QuestionTally
	Groups   []QuestionTally // in group order
	Texts    []TextAnswer    // free-text questions: by group order, then text
}

// GroupSummary is the response count and rate of one group.
type GroupSummary struct {
	Group     Group
	Targeted  int
	Responded int
	Rate      float64
}

// SurveyResults are a survey's answers broken down by one dimension.
type SurveyResults struct {
	Survey    Survey
	By        Dimension
	AsOf      civil.Date
	Overall   GroupSummary
	Groups    []GroupSummary
	Questions []QuestionResult
}

// smallGroup replaces the group of free text from groups under MinGroupForText respondents.
var smallGroup = Group{Key: "small_groups", Label: "（人数较少的分组）", Order: 1<<30 + 1}

// BreakdownInput is what Breakdown works on.
type BreakdownInput struct {
	Survey     Survey
	By         Dimension
	AsOf       civil.Date        // ages and years of work are taken on this day
	Population []cadre.Cadre     // the targeted cadres, plus any respondent no longer targeted
	Responses  []SurveyResponse  // at most one per cadre
	Levels     []cadre.PostLevel // the ladder's post levels (names and order)
}

// Breakdown tallies a survey's responses per question and per group of in.By: counts per
// option, rating counts and means, response counts and the response rate against the targeted
// population of each group, and the free-text answers with their group only. Groups appear when
// they hold a targeted cadre or a respondent; a respondent missing from Population falls in the
// "unknown" group. Pure: the same input gives the same output.
func Breakdown(in BreakdownInput) SurveyResults {
	groupOf := map[int64]Group{}
	targeted := map[string]int{}
	groups := map[string]Group{}
	for _, c := range in.Population {
		if _, dup := groupOf[c.ID]; dup {
			continue
		}
		g := GroupOf(in.By, c, in.AsOf, in.Levels)
		groupOf[c.ID] = g
		groups[g.Key] = g
		targeted[g.Key]++
	}
	responded := map[string]int{}
	seen := map[int64]bool{}
	var rs []SurveyResponse
	for _, r := range in.Responses {
		if seen[r.CadreID] {
			continue
		}
		seen[r.CadreID] = true
		rs = append(rs, r)
		g, ok := groupOf[r.CadreID]
		if !ok {
			g = unknownGroup
			groupOf[r.CadreID] = g
			targeted[g.Key]++ // a respondent no longer targeted still counts, so no rate exceeds 1
		}
		groups[g.Key] = g
		responded[g.Key]++
	}
	order := make([]Group, 0, len(groups))
	for _, g := range groups {
		order = append(order, g)
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].Order != order[j].Order {
			return order[i].Order < order[j].Order
		}
		if order[i].Label != order[j].Label {
			return order[i].Label < order[j].Label
		}
		return order[i].Key < order[j].Key
	})

	allGroup := Group{Key: "all", Label: "全部"}
	out := SurveyResults{Survey: in.Survey, By: in.By, AsOf: in.AsOf, Overall: GroupSummary{Group: allGroup, Responded: len(rs)}}
	for _, g := range order {
		t := targeted[g.Key]
		out.Overall.Targeted += t
		out.Groups = append(out.Groups, GroupSummary{Group: g, Targeted: t, Responded: responded[g.Key], Rate: rate(responded[g.Key], t)})
	}
	out.Overall.Rate = rate(out.Overall.Responded, out.Overall.Targeted)

	for _, q := range in.Survey.Questions {
		qr := QuestionResult{Question: q, Overall: newTally(q, allGroup, out.Overall.Targeted, out.Overall.Responded)}
		tallies := map[string]*QuestionTally{}
		for _, gs := range out.Groups {
			t := newTally(q, gs.Group, gs.Targeted, gs.Responded)
			tallies[gs.Group.Key] = &t
		}
		for _, r := range rs {
			g := groupOf[r.CadreID]
			for _, a := range r.Answers {
				if a.QuestionKey != q.Key {
					continue
				}
				tallyAnswer(&qr.Overall, q, a)
				tallyAnswer(tallies[g.Key], q, a)
				if q.Kind == FreeText && a.Text != "" {
					shown := g
					if responded[g.Key] < MinGroupForText {
						shown = smallGroup
					}
					qr.Texts = append(qr.Texts, TextAnswer{Group: shown, Text: a.Text})
				}
			}
		}
		finishTally(&qr.Overall)
		for _, gs := range out.Groups {
			t := tallies[gs.Group.Key]
			finishTally(t)
			qr.Groups = append(qr.Groups, *t)
		}
		sort.SliceStable(qr.Texts, func(i, j int) bool {
			a, b := qr.Texts[i], qr.Texts[j]
			if a.Group.Order != b.Group.Order {
				return a.Group.Order < b.Group.Order
			}
			if a.Group.Label != b.Group.Label {
				return a.Group.Label < b.Group.Label
			}
			return a.Text < b.Text
		})
		out.Questions = append(out.Questions, qr)
	}
	return out
}

func newTally(q SurveyQuestion, g Group, targeted, responded int) QuestionTally {
	t := QuestionTally{Group: g, Targeted: targeted, Responded: responded, Rate: rate(responded, targeted)}
	for _, o := range q.Options {
		t.Options = append(t.Options, OptionCount{Key: o.Key, Text: o.Text})
	}
	return t
}

func tallyAnswer(t *QuestionTally, q SurveyQuestion, a SurveyAnswer) {
	answered := false
	switch q.Kind {
	case SingleChoice, MultipleChoice:
		for _, c := range a.Choices {
			for i := range t.Options {
				if t.Options[i].Key == c {
					t.Options[i].Count++
					answered = true
				}
			}
		}
	case Rating:
		if a.Rating >= 1 && a.Rating <= 5 {
			t.Ratings[a.Rating-1]++
			answered = true
		}
	case FreeText:
		answered = a.Text != ""
	}
	if answered {
		t.Answered++
	}
}

func finishTally(t *QuestionTally) {
	for i := range t.Options {
		t.Options[i].Share = rate(t.Options[i].Count, t.Answered)
	}
	n, sum := 0, 0
	for i, c := range t.Ratings {
		n += c
		sum += c * (i + 1)
	}
	if n > 0 {
		m := round4(float64(sum) / float64(n))
		t.MeanRating = &m
	}
}

func rate(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return round4(float64(n) / float64(d))
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// ---- use cases ----

func (s *Service) surveyStore() (SurveyStore, error) {
	ss, ok := s.store.(SurveyStore)
	if !ok {
		return nil, apperr.New(apperr.Internal, "internal", "服务器内部错误")
	}
	return ss, nil
}

// canManageSurvey reports whether actor owns sv: the scheduler of the owning school, or
// personnel with the owning org in scope.
func canManageSurvey(actor identity.Principal, sv Survey) bool {
	return isSystem(actor) || (actor.Has(identity.RoleSchool) && actor.OrgID == sv.OwnerOrgID) ||
		(actor.Has(identity.RolePersonnel) && org.Contains(actor.OrgPath, sv.OwnerOrgPath))
}

// ownSurvey loads a survey the actor manages. Errors: not_found.
func (s *Service) ownSurvey(ctx context.Context, ss SurveyStore, actor identity.Principal, id int64) (Survey, error) {
	sv, err := ss.SurveyByID(ctx, id)
	if err != nil {
		return Survey{}, apperr.Wrap(err, "find survey")
	}
	if sv == nil || !canManageSurvey(actor, *sv) {
		return Survey{}, apperr.NotFoundf("问卷不存在")
	}
	return *sv, nil
}

func surveyView(sv Survey) map[string]any {
	return map[string]any{"title": sv.Title, "status": sv.Status, "opensAt": sv.OpensAt, "closesAt": sv.ClosesAt,
		"targetOrgId": sv.Target.OrgID, "targetLevels": sv.Target.PostLevels, "questions": len(sv.Questions)}
}

// CreateSurvey drafts a survey owned by the actor's org (a school's scheduler, or personnel).
// Personnel may only target orgs in their scope, and target their own scope when they name no
// org; a school may target any org (a Party school trains the whole province), or every cadre.
// Audited. Errors: forbidden, validation_failed.
func (s *Service) CreateSurvey(ctx context.Context, actor identity.Principal, in Survey) (Survey, error) {
	personnel := actor.Has(identity.RolePersonnel)
	if !personnel && !actor.Has(identity.RoleSchool) && !isSystem(actor) {
		return Survey{}, forbidden()
	}
	ss, err := s.surveyStore()
	if err != nil {
		return Survey{}, err
	}
	owner, err := s.store.OrgByID(ctx, actor.OrgID)
	if err != nil {
		return Survey{}, apperr.Wrap(err, "find org")
	}
	if owner == nil {
		return Survey{}, forbidden()
	}
	if in.Target.OrgID == nil && personnel {
		id := actor.OrgID
		in.Target.OrgID = &id
	}
	var fe []apperr.FieldError
	if in.Target.OrgID != nil {
		o, err := s.store.OrgByID(ctx, *in.Target.OrgID)
		if err != nil {
			return Survey{}, apperr.Wrap(err, "find org")
		}
		if o == nil || (personnel && !actor.Has(identity.RoleSchool) && !org.Contains(actor.OrgPath, o.Path)) {
			fe = append(fe, apperr.FieldError{Field: "target.orgId", Message: "组织不存在或不在管理范围内"})
		} else {
			in.Target.OrgPath, in.Target.OrgName = o.Path, o.Name
		}
	}
	l, err := s.store.Ladder(ctx)
	if err != nil {
		return Survey{}, apperr.Wrap(err, "load ladder")
	}
	levels := map[string]bool{}
	for _, x := range l.Levels {
		levels[x.Code] = true
	}
	sv, more := NormalizeSurvey(in, levels)
	if fe = append(fe, more...); len(fe) > 0 {
		return Survey{}, apperr.InvalidFields("validation_failed", "问卷校验未通过", fe...)
	}
	sv.ID, sv.OwnerOrgID, sv.OwnerOrgName, sv.OwnerOrgPath = 0, owner.ID, owner.Name, owner.Path
	sv.Status, sv.CreatedBy, sv.CreatedAt, sv.PublishedAt, sv.ClosedAt = SurveyDraft, actor.Username, s.now().UTC(), nil, nil
	sv.OpensAt, sv.ClosesAt = sv.OpensAt.UTC(), sv.ClosesAt.UTC()
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		if err := ss.CreateSurvey(ctx, &sv); err != nil {
			return apperr.Wrap(err, "create survey")
		}
		return s.record(ctx, actor, "training.survey.create", "survey", sv.ID, nil, surveyView(sv))
	})
	return sv, err
}

// Surveys lists, newest first, the surveys the actor manages: personnel those owned within their
// scope, a scheduler their school's. Errors: forbidden.
func (s *Service) Surveys(ctx context.Context, actor identity.Principal, page, size int) ([]Survey, int64, error) {
	f := SurveyFilter{Page: page, PageSize: size}
	switch {
	case actor.Has(identity.RolePersonnel):
		f.OwnerPathPrefix = actor.OrgPath
	case actor.Has(identity.RoleSchool):
		f.OwnerOrgID = actor.OrgID
	default:
		return nil, 0, forbidden()
	}
	ss, err := s.surveyStore()
	if err != nil {
		return nil, 0, err
	}
	out, total, err := ss.Surveys(ctx, f)
	return out, total, apperr.Wrap(err, "list surveys")
}

// GetSurvey returns a survey the actor manages. Errors: not_found.
func (s *Service) GetSurvey(ctx context.Context, actor identity.Principal, id int64) (Survey, error) {
	ss, err := s.surveyStore()
	if err != nil {
		return Survey{}, err
	}
	return s.ownSurvey(ctx, ss, actor, id)
}

// PublishSurvey opens a draft to its cadres (from OpensAt). Audited. Errors: not_found,
// survey_not_draft, survey_expired.
func (s *Service) PublishSurvey(ctx context.Context, actor identity.Principal, id int64) (Survey, error) {
	return s.moveSurvey(ctx, actor, id, "training.survey.publish", func(sv *Survey, now time.Time) error {
		if sv.Status != SurveyDraft {
			return apperr.New(apperr.Conflict, "survey_not_draft", "只有草稿状态的问卷可以发布")
		}
		if !now.Before(sv.ClosesAt) {
			return apperr.New(apperr.FailedPrecondition, "survey_expired", "问卷截止时间已过，不能发布")
		}
		sv.Status, sv.PublishedAt = SurveyPublished, &now
		return nil
	})
}

// CloseSurvey stops a published survey from taking answers; it never reopens. Audited. Errors:
// not_found, survey_not_published.
func (s *Service) CloseSurvey(ctx context.Context, actor identity.Principal, id int64) (Survey, error) {
	return s.moveSurvey(ctx, actor, id, "training.survey.close", func(sv *Survey, now time.Time) error {
		if sv.Status != SurveyPublished {
			return apperr.New(apperr.Conflict, "survey_not_published", "只有已发布的问卷可以结束")
		}
		sv.Status, sv.ClosedAt = SurveyClosed, &now
		return nil
	})
}

func (s *Service) moveSurvey(ctx context.Context, actor identity.Principal, id int64, action string, move func(*Survey, time.Time) error) (Survey, error) {
	ss, err := s.surveyStore()
	if err != nil {
		return Survey{}, err
	}
	var out Survey
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		sv, err := s.ownSurvey(ctx, ss, actor, id)
		if err != nil {
			return err
		}
		before := sv.Status
		if err := move(&sv, s.now().UTC()); err != nil {
			return err
		}
		if err := ss.SetSurveyStatus(ctx, sv); err != nil {
			return apperr.Wrap(err, "update survey")
		}
		out = sv
		return s.record(ctx, actor, action, "survey", sv.ID, map[string]any{"status": before}, map[string]any{"status": sv.Status})
	})
	return out, err
}

// MySurvey is an open survey addressed to a cadre, with their answer so far.
type MySurvey struct {
	Survey   Survey
	Response *SurveyResponse // nil until they answer
}

// MySurveys returns the surveys taking answers now that are addressed to the actor's cadre, by
// close time. Errors: not_found (no cadre linked).
func (s *Service) MySurveys(ctx context.Context, actor identity.Principal) ([]MySurvey, error) {
	ss, err := s.surveyStore()
	if err != nil {
		return nil, err
	}
	cd, err := s.myCadre(ctx, actor)
	if err != nil {
		return nil, err
	}
	open, err := ss.PublishedSurveysOpenAt(ctx, s.now())
	if err != nil {
		return nil, apperr.Wrap(err, "list surveys")
	}
	out := []MySurvey{}
	for _, sv := range open {
		if !sv.Target.Includes(cd) {
			continue
		}
		r, err := ss.SurveyResponseOf(ctx, sv.ID, cd.ID)
		if err != nil {
			return nil, apperr.Wrap(err, "find response")
		}
		out = append(out, MySurvey{Survey: sv, Response: r})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Survey.ClosesAt.Before(out[j].Survey.ClosesAt) })
	return out, nil
}

func (s *Service) myCadre(ctx context.Context, actor identity.Principal) (cadre.Cadre, error) {
	if actor.CadreID == nil {
		return cadre.Cadre{}, apperr.NotFoundf("当前账户未关联干部档案")
	}
	cd, err := s.store.CadreByID(ctx, *actor.CadreID)
	if err != nil {
		return cadre.Cadre{}, apperr.Wrap(err, "find cadre")
	}
	if cd == nil {
		return cadre.Cadre{}, apperr.NotFoundf("当前账户未关联干部档案")
	}
	return *cd, nil
}

// AnswerSurvey records the actor's (a cadre's) answers to a survey addressed to them while it
// takes answers. A second answer replaces the first (created is false) until the survey closes.
// Answers are not audited: the audit log would tie a cadre to their answers. Errors: not_found
// (unknown, draft, or not addressed to the cadre), survey_not_open, validation_failed.
func (s *Service) AnswerSurvey(ctx context.Context, actor identity.Principal, id int64, answers []SurveyAnswer) (SurveyResponse, bool, error) {
	ss, err := s.surveyStore()
	if err != nil {
		return SurveyResponse{}, false, err
	}
	cd, err := s.myCadre(ctx, actor)
	if err != nil {
		return SurveyResponse{}, false, err
	}
	var out SurveyResponse
	created := false
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		sv, err := ss.SurveyByID(ctx, id)
		if err != nil {
			return apperr.Wrap(err, "find survey")
		}
		if sv == nil || sv.Status == SurveyDraft || !sv.Target.Includes(cd) {
			return apperr.NotFoundf("问卷不存在")
		}
		now := s.now().UTC()
		if !sv.OpenAt(now) {
			return apperr.New(apperr.FailedPrecondition, "survey_not_open", "问卷不在答复期内")
		}
		clean, fe := CheckAnswers(*sv, answers)
		if len(fe) > 0 {
			return apperr.InvalidFields("validation_failed", "问卷答复校验未通过", fe...)
		}
		prev, err := ss.SurveyResponseOf(ctx, id, cd.ID)
		if err != nil {
			return apperr.Wrap(err, "find response")
		}
		out = SurveyResponse{SurveyID: id, CadreID: cd.ID, Answers: clean, SubmittedAt: now, UpdatedAt: now}
		if prev != nil {
			out.ID, out.SubmittedAt = prev.ID, prev.SubmittedAt
		}
		created = prev == nil
		if err := ss.PutSurveyResponse(ctx, &out); err != nil {
			if db.IsUniqueViolation(err) {
				return errAnswerRace
			}
			return apperr.Wrap(err, "store response")
		}
		return nil
	})
	if errors.Is(err, errAnswerRace) {
		// The same cadre answered twice at once: the other answer is stored; this one replaces it.
		return s.AnswerSurvey(ctx, actor, id, answers)
	}
	return out, created, err
}

// errAnswerRace is a concurrent first answer's collision; AnswerSurvey retries once as a replacement.
var errAnswerRace = errors.New("survey answered concurrently")

// SurveyResults breaks a survey's responses down by dimension (the survey's owner), against its
// targeted population as it stands now; ages and years of work are taken on the survey's close
// date. Errors: not_found.
func (s *Service) SurveyResults(ctx context.Context, actor identity.Principal, id int64, by Dimension) (SurveyResults, error) {
	ss, err := s.surveyStore()
	if err != nil {
		return SurveyResults{}, err
	}
	sv, err := s.ownSurvey(ctx, ss, actor, id)
	if err != nil {
		return SurveyResults{}, err
	}
	pop, err := ss.SurveyPopulation(ctx, sv.Target)
	if err != nil {
		return SurveyResults{}, apperr.Wrap(err, "list population")
	}
	rs, err := ss.SurveyResponses(ctx, id)
	if err != nil {
		return SurveyResults{}, apperr.Wrap(err, "list responses")
	}
	in := map[int64]bool{}
	for _, c := range pop {
		in[c.ID] = true
	}
	for _, r := range rs { // respondents who have since moved out of the target keep their group
		if !in[r.CadreID] {
			cd, err := s.store.CadreByID(ctx, r.CadreID)
			if err != nil {
				return SurveyResults{}, apperr.Wrap(err, "find cadre")
			}
			if cd != nil {
				pop = append(pop, *cd)
				in[cd.ID] = true
			}
		}
	}
	l, err := s.store.Ladder(ctx)
	if err != nil {
		return SurveyResults{}, apperr.Wrap(err, "load ladder")
	}
	return Breakdown(BreakdownInput{Survey: sv, By: by, AsOf: civil.Of(sv.EndsAt().In(s.loc)), Population: pop, Responses: rs,
		Levels: l.Levels}), nil
}
